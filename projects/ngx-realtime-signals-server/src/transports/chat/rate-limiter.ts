/**
 * Fixed-window frame counter for one connection: at most `limit` frames per
 * `windowMs`. Fixed windows are enough here: the goal is to cut off a flood,
 * not to shape traffic precisely.
 */
export class FrameRateLimiter {
  private windowStart = -Infinity;
  private count = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one frame; false once the connection is past its limit for the current window. */
  allow(): boolean {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.count = 0;
    }
    this.count++;
    return this.count <= this.limit;
  }
}
