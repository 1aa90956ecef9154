/**
 * Reconnect timing, shared by every transport.
 *
 * @example
 * ```ts
 * provideRealtime(withReconnect({ initialDelayMs: 500, maxDelayMs: 10_000, maxAttempts: 20 }));
 * ```
 */
export interface ReconnectOptions {
  /** Upper bound of the first retry's delay. Default 1000. */
  initialDelayMs: number;
  /** Cap of the delay's upper bound. Default 30000. */
  maxDelayMs: number;
  /** Growth of the upper bound per retry. Default 2. */
  multiplier: number;
  /** Retries before giving up (`failed`). Default `Infinity`; 0 never retries. */
  maxAttempts: number;
}

/**
 * The defaults of {@link ReconnectOptions}.
 *
 * @example
 * ```ts
 * new ReconnectPolicy({ ...DEFAULT_RECONNECT, maxAttempts: 5 });
 * ```
 */
export const DEFAULT_RECONNECT: Readonly<ReconnectOptions> = Object.freeze({
  initialDelayMs: 1000,
  maxDelayMs: 30000,
  multiplier: 2,
  maxAttempts: Infinity,
});

/**
 * Exponential backoff with full jitter: the n-th retry waits a uniformly random
 * time in `[0, min(maxDelayMs, initialDelayMs * multiplier^(n-1)))`, but never
 * less than the server's `retry:` hint. Full jitter spreads a crowd of clients
 * that lost the same server, so they do not all come back in the same instant.
 * The first retry after an open connection was cut is quicker ({@link afterCut}).
 *
 * @example
 * ```ts
 * const policy = new ReconnectPolicy({ initialDelayMs: 1000 });
 * policy.delay(3, 2000, Math.random); // somewhere in [2000, 4000)
 * ```
 */
export class ReconnectPolicy {
  readonly options: Readonly<ReconnectOptions>;

  constructor(options: Partial<ReconnectOptions> = {}) {
    this.options = { ...DEFAULT_RECONNECT, ...withoutUndefined(options) };
  }

  /** Upper bound of the delay before retry `attempt` (1-based). */
  ceiling(attempt: number): number {
    const { initialDelayMs, maxDelayMs, multiplier } = this.options;
    const grown = initialDelayMs * Math.pow(multiplier, Math.max(0, attempt - 1));
    return Math.min(maxDelayMs, grown);
  }

  /** Delay before retry `attempt` (1-based); `floorMs` is the server's `retry:` hint (0 if none). */
  delay(attempt: number, floorMs: number, random: () => number): number {
    const jittered = Math.floor(random() * this.ceiling(attempt));
    return Math.max(floorMs, jittered);
  }

  /**
   * Delay of the first retry after an open connection was cut: a random time below a
   * quarter of `initialDelayMs` (250 ms by default), with no server `retry:` floor.
   * The server is most likely still up (a proxy, a network blip, a restarted
   * instance behind a balancer), so waiting out the hint would only keep the app
   * offline; if that retry fails, the next ones follow {@link delay} with the floor.
   */
  afterCut(random: () => number): number {
    return Math.floor(random() * (this.options.initialDelayMs / 4));
  }

  /** Whether retry `attempt` (1-based) is still within budget. */
  allows(attempt: number): boolean {
    return attempt <= this.options.maxAttempts;
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
