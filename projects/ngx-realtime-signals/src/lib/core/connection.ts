import { networkError, realtimeError, TOKEN_EXPIRED } from './errors';
import { browserEnvironment, type ConnectionEnvironment, type ListenerTarget } from './connection-environment';
import type { ReconnectPolicy } from './reconnect-policy';
import type { ConnectionState, RealtimeError } from './types';

/**
 * What one connection attempt reports back to its {@link Connection}. Calls
 * from an attempt that is no longer current (torn down, superseded) are ignored,
 * so a late callback of a dead socket can never disturb the live one.
 *
 * @example
 * ```ts
 * new Connection((ctx) => transports.openStream(req, {
 *   opened: ctx.opened, activity: ctx.activity, retryHint: ctx.retryHint, closed: ctx.closed,
 *   event: (e) => accept(e), reset: (c) => gap(c),
 * }), { policy });
 * ```
 */
export interface AttemptContext {
  /** 0 for the first connect, n for the n-th retry. */
  readonly attempt: number;
  /** The attempt is live: state `open`, retry count back to 0. */
  opened(): void;
  /** The attempt ended; retryable errors schedule a retry, others end in `failed`. */
  closed(error: RealtimeError): void;
  /** The server's minimum retry delay (SSE `retry:`); it stays in force for later retries. */
  retryHint(ms: number): void;
  /** A sign of life (bytes, pings); feeds the watchdog. */
  activity(): void;
}

/** One attempt: start connecting, report through `ctx`, return the teardown. */
export type ConnectionAttempt = (ctx: AttemptContext) => (() => void) | void;

/**
 * Everything observable about a {@link Connection}.
 *
 * @example
 * ```ts
 * const { state, attempt, nextRetryAt, lastError } = connection.snapshot();
 * ```
 */
export interface ConnectionSnapshot {
  readonly state: ConnectionState;
  /** 0 while open/idle; n during the n-th retry. */
  readonly attempt: number;
  /** Epoch ms of the scheduled retry; null when none is scheduled (also while waiting to come online). */
  readonly nextRetryAt: number | null;
  readonly lastError: RealtimeError | null;
}

/**
 * Options of a {@link Connection}. Everything time- or browser-related is
 * injectable so tests can drive it with fake timers and a fake environment.
 *
 * @example
 * ```ts
 * const options: ConnectionOptions = { policy: new ReconnectPolicy(), watchdogMs: 30_000, random: () => 0.5 };
 * ```
 */
export interface ConnectionOptions {
  policy: ReconnectPolicy;
  environment?: ConnectionEnvironment;
  /** An attempt with no sign of life (open, activity) for this long is dropped and retried. Off when absent or 0. */
  watchdogMs?: number;
  now?: () => number;
  random?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

type Listener = (snapshot: ConnectionSnapshot) => void;

const IDLE: ConnectionSnapshot = Object.freeze({ state: 'idle', attempt: 0, nextRetryAt: null, lastError: null });

/**
 * The reconnect runner shared by every transport: a state machine
 * `idle -> connecting -> open -> reconnecting -> connecting ... -> closed | failed`
 * around an attempt function.
 *
 * - Retries use exponential backoff with full jitter, capped, never sooner than
 *   the server's `retry:` hint, at most `maxAttempts` times; the first retry after an
 *   open connection was cut waits less than `initialDelayMs / 4`, without the hint
 *   (the server is most likely up); non-retryable errors
 *   (401, 403, 204, bad content type) go straight to `failed`.
 * - An expired token (`token_expired`) is retried at once (each attempt fetches a
 *   fresh token), but only once in a row: a second one before an attempt opens
 *   ends in `failed`.
 * - While `navigator.onLine` is false it does not spin: it waits for `online`,
 *   and `online` retries at once.
 * - A tab coming back (`visibilitychange` to visible) retries a pending backoff at
 *   once and restarts a connection that went silent past the watchdog; a page
 *   restored from the back/forward cache (`pageshow` with `persisted`) reconnects.
 * - `stop()` (and `failed`) removes every timer and listener it added.
 *
 * @example
 * ```ts
 * const connection = new Connection((ctx) => {
 *   const socket = new WebSocket(url);
 *   socket.onopen = () => ctx.opened();
 *   socket.onmessage = () => ctx.activity();
 *   socket.onclose = () => ctx.closed(realtimeError('socket_closed', 'closed', true));
 *   return () => socket.close();
 * }, { policy: new ReconnectPolicy({ maxAttempts: 10 }) });
 * const unsubscribe = connection.subscribe((s) => console.log(s.state));
 * connection.start();
 * // later
 * connection.stop(); unsubscribe();
 * ```
 */
export class Connection {
  private current: ConnectionSnapshot = IDLE;
  private readonly listeners = new Set<Listener>();
  private readonly environment: ConnectionEnvironment;
  /** Incremented whenever an attempt ends, so callbacks of older attempts are recognised and ignored. */
  private generation = 0;
  private teardown: (() => void) | null = null;
  private retryTimer: unknown = null;
  private watchdogTimer: unknown = null;
  private lastActivity = 0;
  private hintMs = 0;
  /** A retry with a fresh token was made and no attempt has opened since. */
  private tokenRetried = false;
  private unlisten: (() => void) | null = null;

  constructor(
    private readonly attemptFn: ConnectionAttempt,
    private readonly options: ConnectionOptions,
  ) {
    this.environment = options.environment ?? browserEnvironment();
  }

  /** The current state, attempt, next retry and last error. */
  snapshot(): ConnectionSnapshot {
    return this.current;
  }

  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Connects (from idle, closed or failed); a no-op while already running. */
  start(): void {
    if (this.isRunning()) return;
    this.listen();
    this.tokenRetried = false;
    this.update({ attempt: 0, nextRetryAt: null, lastError: null });
    if (this.isOffline()) {
      this.update({ state: 'reconnecting', lastError: realtimeError('offline', 'The browser is offline', true) });
      return;
    }
    this.begin();
  }

  /** Disconnects for good: state `closed`, no timer or listener left behind. */
  stop(): void {
    if (this.current.state === 'idle' || this.current.state === 'closed') return;
    this.endAttempt();
    this.release();
    this.update({ state: 'closed', attempt: 0, nextRetryAt: null });
  }

  /** Skips the backoff wait; from `failed` it starts over with a fresh retry budget. */
  retryNow(): void {
    if (this.current.state === 'reconnecting') {
      this.clearRetry();
      this.begin();
    } else if (this.current.state === 'failed') {
      this.listen();
      this.tokenRetried = false;
      this.update({ attempt: 0 });
      this.begin();
    }
  }

  /**
   * Drops the current attempt and connects again at once, as attempt 0 (a switch to another
   * transport: the next attempt resumes on the same cursor). A no-op unless running.
   */
  restartNow(): void {
    if (this.isRunning()) this.restart();
  }

  private isRunning(): boolean {
    const s = this.current.state;
    return s === 'connecting' || s === 'open' || s === 'reconnecting';
  }

  private begin(): void {
    this.clearRetry();
    const generation = ++this.generation;
    const live = () => generation === this.generation;
    this.update({ state: 'connecting', nextRetryAt: null });
    this.lastActivity = this.now();
    this.armWatchdog();
    const ctx: AttemptContext = {
      attempt: this.current.attempt,
      opened: () => {
        if (!live()) return;
        this.lastActivity = this.now();
        this.tokenRetried = false;
        this.update({ state: 'open', attempt: 0, nextRetryAt: null, lastError: null });
      },
      closed: (error) => {
        if (live()) this.attemptEnded(error);
      },
      retryHint: (ms) => {
        if (live() && Number.isFinite(ms) && ms >= 0) this.hintMs = ms;
      },
      activity: () => {
        if (live()) this.lastActivity = this.now();
      },
    };
    let teardown: (() => void) | void;
    try {
      teardown = this.attemptFn(ctx);
    } catch (err) {
      if (live()) this.attemptEnded(networkError(err));
      return;
    }
    if (live()) this.teardown = teardown ?? null;
    else teardown?.();
  }

  private attemptEnded(error: RealtimeError): void {
    const cut = this.current.state === 'open';
    this.endAttempt();
    if (!error.retryable) return this.fail(error);
    const tokenExpired = error.code === TOKEN_EXPIRED;
    // a fresh token gets one immediate try; refused again before anything opened, the credentials are what is wrong
    if (tokenExpired && this.tokenRetried) return this.fail({ ...error, retryable: false });
    const next = this.current.attempt + 1;
    if (!this.options.policy.allows(next)) return this.fail(error);
    if (this.isOffline()) {
      this.update({ state: 'reconnecting', attempt: next, nextRetryAt: null, lastError: error });
      return;
    }
    if (tokenExpired) this.tokenRetried = true;
    const random = this.options.random ?? Math.random;
    // the first retry after a cut of an open connection skips the `retry:` floor; later ones keep it
    const delay = tokenExpired ? 0 : cut ? this.options.policy.afterCut(random) : this.options.policy.delay(next, this.hintMs, random);
    this.update({ state: 'reconnecting', attempt: next, nextRetryAt: this.now() + delay, lastError: error });
    this.retryTimer = this.setTimer(() => {
      this.retryTimer = null;
      if (this.isOffline()) this.update({ nextRetryAt: null });
      else this.begin();
    }, delay);
  }

  private fail(error: RealtimeError): void {
    this.release();
    this.update({ state: 'failed', nextRetryAt: null, lastError: error });
  }

  /** Tears the current attempt down and makes its late callbacks harmless. */
  private endAttempt(): void {
    this.generation++;
    this.clearWatchdog();
    const teardown = this.teardown;
    this.teardown = null;
    teardown?.();
  }

  /** Drops a possibly dead attempt and connects again at once. */
  private restart(): void {
    this.endAttempt();
    this.update({ attempt: 0 });
    this.begin();
  }

  private armWatchdog(): void {
    const limit = this.options.watchdogMs;
    if (!limit) return;
    const check = () => {
      const silentFor = this.now() - this.lastActivity;
      if (silentFor >= limit) {
        this.watchdogTimer = null;
        this.attemptEnded(realtimeError('heartbeat_timeout', `No data for ${limit} ms`, true));
      } else {
        this.watchdogTimer = this.setTimer(check, limit - silentFor);
      }
    };
    this.watchdogTimer = this.setTimer(check, limit);
  }

  private listen(): void {
    if (this.unlisten) return;
    const { window: win, document: doc } = this.environment;
    const listeners: [ListenerTarget | null | undefined, string, (event: Event) => void][] = [
      [win, 'online', () => this.current.state === 'reconnecting' && this.begin()],
      [win, 'pageshow', (event) => (event as Event & { persisted?: boolean }).persisted && this.resume(true)],
      [doc, 'visibilitychange', () => doc?.visibilityState !== 'hidden' && this.resume(false)],
    ];
    for (const [target, type, fn] of listeners) target?.addEventListener(type, fn);
    this.unlisten = () => {
      for (const [target, type, fn] of listeners) target?.removeEventListener(type, fn);
    };
  }

  /**
   * The page is in front of the user again. A pending backoff is cut short; a
   * connection restored from the back/forward cache, or one silent past the
   * watchdog, is presumed dead (timers were frozen, so it may not know yet).
   */
  private resume(restoredFromCache: boolean): void {
    const { state } = this.current;
    if (state === 'reconnecting') {
      if (!this.isOffline()) this.begin();
      return;
    }
    if (state !== 'open' && state !== 'connecting') return;
    const limit = this.options.watchdogMs;
    const silent = !!limit && this.now() - this.lastActivity >= limit;
    if (restoredFromCache || silent) this.restart();
  }

  private release(): void {
    this.clearRetry();
    this.clearWatchdog();
    this.unlisten?.();
    this.unlisten = null;
  }

  private clearRetry(): void {
    this.retryTimer = this.clearTimer(this.retryTimer);
  }

  private clearWatchdog(): void {
    this.watchdogTimer = this.clearTimer(this.watchdogTimer);
  }

  private isOffline(): boolean {
    return this.environment.navigator?.onLine === false;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private setTimer(fn: () => void, ms: number): unknown {
    return (this.options.setTimeout ?? globalThis.setTimeout)(fn, ms);
  }

  /** Clears `handle` if set; returns null, the value of a cleared timer field. */
  private clearTimer(handle: unknown): null {
    if (handle !== null) (this.options.clearTimeout ?? globalThis.clearTimeout)(handle as ReturnType<typeof setTimeout>);
    return null;
  }

  private update(patch: Partial<ConnectionSnapshot>): void {
    const c = this.current;
    if (Object.entries(patch).every(([key, value]) => c[key as keyof ConnectionSnapshot] === value)) return;
    this.current = Object.freeze({ ...c, ...patch });
    for (const listener of [...this.listeners]) listener(this.current);
  }
}
