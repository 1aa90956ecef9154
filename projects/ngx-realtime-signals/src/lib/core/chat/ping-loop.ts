export interface PingLoopOptions {
  intervalMs: number;
  /** A ping unanswered for this long means the connection is dead even if the socket looks open. */
  timeoutMs: number;
  now: () => number;
  sendPing(t: number): void;
  latency(ms: number): void;
  timedOut(): void;
}

/**
 * Pings the chat server while a connection is open: the round trip gives
 * `latencyMs`, and a missing pong detects a half-open connection (a laptop
 * waking up, a proxy dropping the flow) long before TCP would.
 */
export class PingLoop {
  private nextPing: ReturnType<typeof setTimeout> | null = null;
  private deadline: ReturnType<typeof setTimeout> | null = null;
  private running = false;

  constructor(private readonly options: PingLoopOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.ping();
  }

  pong(t: unknown): void {
    if (!this.running) return;
    if (this.deadline !== null) clearTimeout(this.deadline);
    this.deadline = null;
    if (typeof t === 'number' && Number.isFinite(t)) this.options.latency(Math.max(0, this.options.now() - t));
  }

  stop(): void {
    this.running = false;
    if (this.nextPing !== null) clearTimeout(this.nextPing);
    if (this.deadline !== null) clearTimeout(this.deadline);
    this.nextPing = this.deadline = null;
  }

  private ping(): void {
    const { options } = this;
    this.nextPing = setTimeout(() => this.ping(), options.intervalMs);
    // the deadline runs from the oldest unanswered ping, so a later ping does not push it back
    this.deadline ??= setTimeout(() => {
      this.stop();
      options.timedOut();
    }, options.timeoutMs);
    options.sendPing(options.now());
  }
}
