/**
 * Collects items that arrive in one burst (one network chunk, one poll answer)
 * and hands them over together in a microtask, so a burst of a thousand events
 * costs one signal update and one change detection, not a thousand.
 *
 * @example
 * ```ts
 * const queue = new BurstQueue<RealtimeEvent>((batch) => events.update((list) => [...list, ...batch]));
 * queue.push(a); queue.push(b); // one flush with [a, b] after the current task
 * ```
 */
export class BurstQueue<T> {
  private pending: T[] = [];
  private scheduled = false;
  private touched = false;
  private disposed = false;

  constructor(
    private readonly flushFn: (batch: T[]) => void,
    private readonly schedule: (fn: () => void) => void = (fn) => queueMicrotask(fn),
  ) {}

  push(item: T): void {
    if (this.disposed) return;
    this.pending.push(item);
    this.scheduleFlush();
  }

  /** Asks for a flush even without new items (state beside the items changed, e.g. a cursor or a gap). */
  touch(): void {
    if (this.disposed) return;
    this.touched = true;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Delivers what is pending now (before a disconnect, so nothing accepted is lost). */
  flush(): void {
    if (this.disposed || (this.pending.length === 0 && !this.touched)) return;
    const batch = this.pending;
    this.pending = [];
    this.touched = false;
    this.flushFn(batch);
  }

  get size(): number {
    return this.pending.length;
  }

  /** Drops what is pending and ignores later pushes. */
  dispose(): void {
    this.disposed = true;
    this.pending = [];
  }
}
