/**
 * A bounded set of the ids seen most recently: enough to drop the duplicates a
 * resumed connection may redeliver, without growing forever on a long-lived page.
 *
 * @example
 * ```ts
 * const seen = new RecentIds(1000);
 * seen.add('a'); // true: first time
 * seen.add('a'); // false: duplicate
 * ```
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(readonly capacity: number) {}

  /** Records `id`; returns false when it was already among the recent ids. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      // Sets iterate in insertion order, so the first entry is the oldest.
      this.ids.delete(this.ids.values().next().value as string);
    }
    return true;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }

  clear(): void {
    this.ids.clear();
  }
}
