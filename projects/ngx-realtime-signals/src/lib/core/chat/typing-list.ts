/**
 * Users typing in one room. Each `typing` frame keeps a user listed for
 * `ttlMs`; one timer, set for the earliest expiry, removes them.
 */
export class TypingList {
  private readonly until = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private snapshot: readonly string[] | null = null;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly onChange: () => void,
  ) {}

  users(): readonly string[] {
    this.snapshot ??= [...this.until.keys()];
    return this.snapshot;
  }

  touch(user: string): void {
    const isNew = !this.until.has(user);
    this.until.delete(user); // re-insert keeps the list in order of the latest typing
    this.until.set(user, this.now() + this.ttlMs);
    this.schedule();
    if (isNew) this.changed();
  }

  remove(user: string): void {
    if (this.until.delete(user)) this.changed();
  }

  clear(): void {
    this.stopTimer();
    if (this.until.size === 0) return;
    this.until.clear();
    this.changed();
  }

  private schedule(): void {
    this.stopTimer();
    if (this.until.size === 0) return;
    const next = Math.min(...this.until.values());
    this.timer = setTimeout(() => this.expire(), Math.max(0, next - this.now()));
  }

  private expire(): void {
    this.timer = null;
    const now = this.now();
    let removed = false;
    for (const [user, until] of this.until) {
      if (until <= now) {
        this.until.delete(user);
        removed = true;
      }
    }
    this.schedule();
    if (removed) this.changed();
  }

  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private changed(): void {
    this.snapshot = null;
    this.onChange();
  }
}
