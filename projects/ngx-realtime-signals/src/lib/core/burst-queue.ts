/**
 * Collects items that arrive in one burst (one network chunk, one poll answer)
 * and hands them over together in a microtask, so a burst of a thousand events
 * costs one signal update and one change detection, not a thousand.
 *
 * With `nextFrame` (the browser's next animation frame), it also flushes at most
 * once per frame: a burst that arrives after this frame's flush, such as WebSocket
 * messages that each come in a task of their own, waits for the next frame and
 * joins whatever else arrives before it. The first burst after a quiet frame is
 * still handed over in a microtask.
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
  /** A flush happened and the next frame has not begun yet. */
  private flushedThisFrame = false;
  /** Cancels what waits for the next frame (so a disposed queue leaves no timer behind). */
  private readonly waiting = new Set<() => void>();

  /** `nextFrame(fn)` runs `fn` at the next animation frame and returns a cancel function. */
  constructor(
    private readonly flushFn: (batch: T[]) => void,
    private readonly schedule: (fn: () => void) => void = (fn) => queueMicrotask(fn),
    private readonly nextFrame: ((fn: () => void) => () => void) | null = null,
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
    const run = () => {
      this.scheduled = false;
      this.flush();
    };
    if (this.flushedThisFrame && this.nextFrame) this.atNextFrame(this.nextFrame, run);
    else this.schedule(run);
  }

  private atNextFrame(nextFrame: (fn: () => void) => () => void, fn: () => void): void {
    const cancel = nextFrame(() => {
      this.waiting.delete(cancel);
      fn();
    });
    this.waiting.add(cancel);
  }

  /** Delivers what is pending now (before a disconnect, so nothing accepted is lost). */
  flush(): void {
    if (this.disposed || (this.pending.length === 0 && !this.touched)) return;
    const batch = this.pending;
    this.pending = [];
    this.touched = false;
    if (this.nextFrame && !this.flushedThisFrame) {
      this.flushedThisFrame = true;
      this.atNextFrame(this.nextFrame, () => (this.flushedThisFrame = false));
    }
    this.flushFn(batch);
  }

  get size(): number {
    return this.pending.length;
  }

  /** Drops what is pending and ignores later pushes. */
  dispose(): void {
    this.disposed = true;
    this.pending = [];
    for (const cancel of this.waiting) cancel();
    this.waiting.clear();
  }
}
