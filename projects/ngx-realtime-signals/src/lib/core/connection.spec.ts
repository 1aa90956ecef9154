import { Connection, type AttemptContext, type ConnectionSnapshot } from './connection';
import type { ConnectionEnvironment, ListenerTarget } from './connection-environment';
import { ReconnectPolicy } from './reconnect-policy';
import type { ConnectionState, RealtimeError } from './types';

/** An EventTarget that counts listeners, so tests can prove none is left behind. */
class CountingTarget implements ListenerTarget {
  readonly target = new EventTarget();
  added = 0;
  removed = 0;
  visibilityState = 'visible';
  addEventListener(type: string, listener: (e: Event) => void): void {
    this.added++;
    this.target.addEventListener(type, listener);
  }
  removeEventListener(type: string, listener: (e: Event) => void): void {
    this.removed++;
    this.target.removeEventListener(type, listener);
  }
  fire(type: string, init: Record<string, unknown> = {}): void {
    this.target.dispatchEvent(Object.assign(new Event(type), init));
  }
}

const retryable: RealtimeError = { code: 'network', message: 'down', retryable: true };

function setup(options: { maxAttempts?: number; random?: () => number; watchdogMs?: number; onLine?: boolean } = {}) {
  const win = new CountingTarget();
  const doc = new CountingTarget();
  const navigator = { onLine: options.onLine ?? true };
  const environment: ConnectionEnvironment = { window: win, document: doc, navigator };
  const attempts: AttemptContext[] = [];
  const teardowns: jest.Mock[] = [];
  const connection = new Connection(
    (ctx) => {
      attempts.push(ctx);
      const teardown = jest.fn();
      teardowns.push(teardown);
      return teardown;
    },
    {
      policy: new ReconnectPolicy({ initialDelayMs: 1000, maxDelayMs: 8000, multiplier: 2, maxAttempts: options.maxAttempts ?? Infinity }),
      environment,
      random: options.random ?? (() => 0.5),
      watchdogMs: options.watchdogMs,
    },
  );
  const states: ConnectionState[] = [];
  connection.subscribe((s: ConnectionSnapshot) => states.push(s.state));
  const last = () => attempts[attempts.length - 1];
  return { connection, win, doc, navigator, attempts, teardowns, states, last };
}

describe('Connection', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('starts idle and moves through connecting to open', () => {
    const { connection, last, states } = setup();
    expect(connection.snapshot().state).toBe('idle');
    connection.start();
    expect(connection.snapshot()).toMatchObject({ state: 'connecting', attempt: 0 });
    last().opened();
    expect(connection.snapshot()).toEqual({ state: 'open', attempt: 0, nextRetryAt: null, lastError: null });
    expect(states).toEqual(['connecting', 'open']);
  });

  it('schedules a retry after a retryable error and reconnects when the timer fires', () => {
    const { connection, attempts, last } = setup({ random: () => 0.5 });
    connection.start();
    last().opened();
    const before = Date.now();
    last().closed(retryable);
    // a cut of an open connection: the first retry waits below initialDelayMs / 4 (0.5 x 250 ms)
    expect(connection.snapshot()).toEqual({ state: 'reconnecting', attempt: 1, nextRetryAt: before + 125, lastError: retryable });
    jest.advanceTimersByTime(124);
    expect(attempts).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(attempts).toHaveLength(2);
    expect(connection.snapshot()).toMatchObject({ state: 'connecting', attempt: 1, nextRetryAt: null });
    expect(last().attempt).toBe(1);
    last().opened();
    expect(connection.snapshot()).toMatchObject({ state: 'open', attempt: 0, lastError: null });
  });

  it('grows the delay ceiling exponentially up to the cap with full jitter', () => {
    const policy = new ReconnectPolicy({ initialDelayMs: 1000, maxDelayMs: 8000, multiplier: 2 });
    expect([1, 2, 3, 4, 5, 9].map((n) => policy.ceiling(n))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(policy.delay(3, 0, () => 0)).toBe(0);
    expect(policy.delay(3, 0, () => 0.999999)).toBe(3999);
    expect(policy.delay(9, 0, () => 0.25)).toBe(2000);
  });

  it('uses the injected random source for each retry delay', () => {
    const draws = [0.1, 0.9, 0.5];
    const { connection, last } = setup({ random: () => draws.shift() ?? 0 });
    connection.start();
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const now = Date.now();
      last().closed(retryable);
      delays.push((connection.snapshot().nextRetryAt ?? 0) - now);
      jest.advanceTimersByTime(delays[i]);
    }
    expect(delays).toEqual([100, 1800, 2000]);
  });

  it('never retries sooner than the server retry hint', () => {
    const { connection, last } = setup({ random: () => 0 });
    connection.start();
    last().retryHint(2500);
    const now = Date.now();
    last().closed(retryable);
    expect(connection.snapshot().nextRetryAt).toBe(now + 2500);
  });

  it('retries a cut open connection quickly, then keeps the server retry hint as a floor', () => {
    const { connection, attempts, last } = setup({ random: () => 0.5 });
    connection.start();
    last().retryHint(2000);
    last().opened();
    let now = Date.now();
    last().closed(retryable);
    expect(connection.snapshot().nextRetryAt).toBe(now + 125);
    jest.advanceTimersByTime(125);
    expect(attempts).toHaveLength(2);
    // that retry did not open: the second one waits for the hint
    now = Date.now();
    last().closed(retryable);
    expect(connection.snapshot()).toMatchObject({ state: 'reconnecting', attempt: 2, nextRetryAt: now + 2000 });
    jest.advanceTimersByTime(2000);
    expect(attempts).toHaveLength(3);
    // open again, cut again: quick again
    last().opened();
    now = Date.now();
    last().closed(retryable);
    expect(connection.snapshot()).toMatchObject({ attempt: 1, nextRetryAt: now + 125 });
  });

  it('scales the quick first retry after a cut with initialDelayMs', () => {
    const policy = new ReconnectPolicy({ initialDelayMs: 2000 });
    expect(policy.afterCut(() => 0)).toBe(0);
    expect(policy.afterCut(() => 0.999999)).toBe(499);
  });

  it('fails after maxAttempts retries', () => {
    const { connection, attempts, last } = setup({ maxAttempts: 2 });
    connection.start();
    last().closed(retryable);
    jest.runOnlyPendingTimers();
    last().closed(retryable);
    jest.runOnlyPendingTimers();
    expect(attempts).toHaveLength(3);
    last().closed(retryable);
    expect(connection.snapshot()).toMatchObject({ state: 'failed', attempt: 2, nextRetryAt: null, lastError: retryable });
    expect(jest.getTimerCount()).toBe(0);
  });

  it.each([401, 403, 204])('goes to failed without a retry on HTTP %i', (status) => {
    const { connection, attempts, last } = setup();
    connection.start();
    const error: RealtimeError = { code: 'http_error', message: 'no', status, retryable: false };
    last().closed(error);
    expect(connection.snapshot()).toMatchObject({ state: 'failed', lastError: error });
    jest.advanceTimersByTime(60_000);
    expect(attempts).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  describe('an expired token', () => {
    const expired: RealtimeError = { code: 'token_expired', message: 'The token expired', status: 401, retryable: true };

    it('retries at once, without the backoff wait or the server retry hint', () => {
      const { connection, attempts, last } = setup({ random: () => 0.99 });
      connection.start();
      last().retryHint(5000);
      last().opened();
      last().closed(expired);
      expect(connection.snapshot()).toMatchObject({ state: 'reconnecting', attempt: 1, lastError: expired });
      jest.advanceTimersByTime(0);
      expect(attempts).toHaveLength(2);
      expect(connection.snapshot()).toMatchObject({ state: 'connecting', attempt: 1 });
    });

    it('fails when the attempt with the fresh token is refused again before it opens', () => {
      const { connection, attempts, last } = setup();
      connection.start();
      last().opened();
      last().closed(expired);
      jest.advanceTimersByTime(0);
      last().closed(expired);
      expect(connection.snapshot()).toMatchObject({ state: 'failed', nextRetryAt: null, lastError: expect.objectContaining({ code: 'token_expired', retryable: false }) });
      jest.advanceTimersByTime(60_000);
      expect(attempts).toHaveLength(2);
    });

    it('counts a refusal after an unrelated failure as the second one in a row', () => {
      const { connection, attempts, last } = setup({ random: () => 0.5 });
      connection.start();
      last().closed(expired);
      jest.advanceTimersByTime(0);
      last().closed(retryable);
      jest.advanceTimersByTime(1000);
      expect(attempts).toHaveLength(3);
      last().closed(expired);
      expect(connection.snapshot().state).toBe('failed');
    });

    it('retries at once again after an attempt opened in between', () => {
      const { connection, attempts, last } = setup();
      connection.start();
      last().opened();
      last().closed(expired);
      jest.advanceTimersByTime(0);
      last().opened();
      last().closed(expired);
      jest.advanceTimersByTime(0);
      expect(attempts).toHaveLength(3);
      expect(connection.snapshot().state).toBe('connecting');
    });

    it('gets a fresh chance after retryNow from failed', () => {
      const { connection, attempts, last } = setup();
      connection.start();
      last().closed(expired);
      jest.advanceTimersByTime(0);
      last().closed(expired);
      expect(connection.snapshot().state).toBe('failed');
      connection.retryNow();
      last().closed(expired);
      jest.advanceTimersByTime(0);
      expect(attempts).toHaveLength(4);
      expect(connection.snapshot().state).toBe('connecting');
    });
  });

  it('goes to failed without a retry on a bad content type', () => {
    const { connection, last } = setup();
    connection.start();
    last().closed({ code: 'bad_content_type', message: 'text/html', retryable: false });
    expect(connection.snapshot().state).toBe('failed');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('retryNow skips the backoff wait', () => {
    const { connection, attempts, last } = setup();
    connection.start();
    last().closed(retryable);
    connection.retryNow();
    expect(attempts).toHaveLength(2);
    expect(connection.snapshot().state).toBe('connecting');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('retryNow from failed starts over with a fresh budget', () => {
    const { connection, attempts, last, win } = setup({ maxAttempts: 0 });
    connection.start();
    last().closed(retryable);
    expect(connection.snapshot().state).toBe('failed');
    connection.retryNow();
    expect(attempts).toHaveLength(2);
    expect(connection.snapshot()).toMatchObject({ state: 'connecting', attempt: 0 });
    expect(win.added - win.removed).toBe(2);
  });

  it('ignores retryNow while open or idle', () => {
    const { connection, attempts, last } = setup();
    connection.retryNow();
    expect(attempts).toHaveLength(0);
    connection.start();
    last().opened();
    connection.retryNow();
    expect(attempts).toHaveLength(1);
  });

  it('does not retry while offline and retries as soon as the browser is online', () => {
    const { connection, attempts, last, navigator, win } = setup();
    connection.start();
    last().opened();
    navigator.onLine = false;
    last().closed(retryable);
    expect(connection.snapshot()).toMatchObject({ state: 'reconnecting', attempt: 1, nextRetryAt: null });
    jest.advanceTimersByTime(10 * 60_000);
    expect(attempts).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
    navigator.onLine = true;
    win.fire('online');
    expect(attempts).toHaveLength(2);
    expect(connection.snapshot().state).toBe('connecting');
  });

  it('starts waiting for online when started offline', () => {
    const { connection, attempts, navigator, win } = setup({ onLine: false });
    connection.start();
    expect(connection.snapshot()).toMatchObject({ state: 'reconnecting', lastError: { code: 'offline' } });
    expect(attempts).toHaveLength(0);
    navigator.onLine = true;
    win.fire('online');
    expect(attempts).toHaveLength(1);
  });

  it('holds a due retry when the browser went offline during the wait', () => {
    const { connection, attempts, last, navigator, win } = setup();
    connection.start();
    last().closed(retryable);
    navigator.onLine = false;
    jest.runOnlyPendingTimers();
    expect(attempts).toHaveLength(1);
    expect(connection.snapshot()).toMatchObject({ state: 'reconnecting', nextRetryAt: null });
    navigator.onLine = true;
    win.fire('online');
    expect(attempts).toHaveLength(2);
  });

  it('retries at once on online instead of waiting out the backoff', () => {
    const { connection, attempts, last, win } = setup({ random: () => 0.99 });
    connection.start();
    last().closed(retryable);
    win.fire('online');
    expect(attempts).toHaveLength(2);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ignores online while open', () => {
    const { connection, attempts, last, win } = setup();
    connection.start();
    last().opened();
    win.fire('online');
    expect(attempts).toHaveLength(1);
    expect(connection.snapshot().state).toBe('open');
  });

  it('retries at once when a hidden tab becomes visible during a backoff', () => {
    const { connection, attempts, last, doc } = setup({ random: () => 0.99 });
    connection.start();
    last().closed(retryable);
    doc.visibilityState = 'hidden';
    doc.fire('visibilitychange');
    expect(attempts).toHaveLength(1);
    doc.visibilityState = 'visible';
    doc.fire('visibilitychange');
    expect(attempts).toHaveLength(2);
  });

  it('restarts an open connection that went silent past the watchdog when the tab becomes visible', () => {
    let clock = 1_000_000;
    const { connection, attempts, last, doc, teardowns } = setup({ watchdogMs: 30_000 });
    // Timers of a hidden tab are throttled, so the watchdog may not have fired yet: move only the clock.
    jest.setSystemTime(clock);
    connection.start();
    last().opened();
    doc.fire('visibilitychange');
    expect(attempts).toHaveLength(1);
    clock += 31_000;
    jest.setSystemTime(clock);
    doc.fire('visibilitychange');
    expect(teardowns[0]).toHaveBeenCalled();
    expect(attempts).toHaveLength(2);
    expect(connection.snapshot()).toMatchObject({ state: 'connecting', attempt: 0 });
  });

  it('reconnects an open connection when the page is restored from the back/forward cache', () => {
    const { connection, attempts, last, win, teardowns } = setup();
    connection.start();
    last().opened();
    win.fire('pageshow', { persisted: false });
    expect(attempts).toHaveLength(1);
    win.fire('pageshow', { persisted: true });
    expect(teardowns[0]).toHaveBeenCalledTimes(1);
    expect(attempts).toHaveLength(2);
  });

  it('drops an attempt that shows no activity for the watchdog time', () => {
    const { connection, attempts, last, teardowns } = setup({ watchdogMs: 30_000, random: () => 0 });
    connection.start();
    last().opened();
    jest.advanceTimersByTime(20_000);
    last().activity();
    jest.advanceTimersByTime(20_000);
    expect(connection.snapshot().state).toBe('open');
    jest.advanceTimersByTime(10_000);
    expect(teardowns[0]).toHaveBeenCalled();
    expect(connection.snapshot()).toMatchObject({ state: 'reconnecting', lastError: { code: 'heartbeat_timeout' } });
    jest.advanceTimersByTime(1);
    expect(attempts).toHaveLength(2);
  });

  it('ignores callbacks of an attempt that was superseded', () => {
    const { connection, attempts, last } = setup();
    connection.start();
    const first = last();
    first.closed(retryable);
    connection.retryNow();
    expect(attempts).toHaveLength(2);
    first.opened();
    first.closed(retryable);
    expect(connection.snapshot().state).toBe('connecting');
  });

  it('treats an attempt that throws as a retryable network error', () => {
    const connection = new Connection(
      () => {
        throw new Error('boom');
      },
      { policy: new ReconnectPolicy(), environment: {} },
    );
    connection.start();
    expect(connection.snapshot()).toMatchObject({ state: 'reconnecting', lastError: { code: 'network' } });
    connection.stop();
  });

  it('tears down an attempt that closed before returning its teardown', () => {
    const teardown = jest.fn();
    const connection = new Connection(
      (ctx) => {
        ctx.closed({ code: 'http_error', message: 'no', status: 401, retryable: false });
        return teardown;
      },
      { policy: new ReconnectPolicy(), environment: {} },
    );
    connection.start();
    expect(connection.snapshot().state).toBe('failed');
    expect(teardown).toHaveBeenCalledTimes(1);
  });

  it('stop leaves no timer and no listener behind, from every state', () => {
    for (const drive of [
      (c: ReturnType<typeof setup>) => c.last().opened(),
      (c: ReturnType<typeof setup>) => c.last().closed(retryable),
      () => undefined,
    ]) {
      const ctx = setup({ watchdogMs: 30_000 });
      ctx.connection.start();
      drive(ctx);
      ctx.connection.stop();
      expect(ctx.connection.snapshot()).toEqual({ state: 'closed', attempt: 0, nextRetryAt: null, lastError: ctx.connection.snapshot().lastError });
      expect(jest.getTimerCount()).toBe(0);
      expect(ctx.win.added).toBeGreaterThan(0);
      expect(ctx.win.added).toBe(ctx.win.removed);
      expect(ctx.doc.added).toBe(ctx.doc.removed);
      expect(ctx.teardowns[ctx.teardowns.length - 1]).toHaveBeenCalled();
    }
  });

  it('failing removes every listener and timer', () => {
    const ctx = setup({ watchdogMs: 30_000 });
    ctx.connection.start();
    ctx.last().opened();
    ctx.last().closed({ code: 'http_error', message: 'no', status: 403, retryable: false });
    expect(jest.getTimerCount()).toBe(0);
    expect(ctx.win.added).toBe(ctx.win.removed);
    expect(ctx.doc.added).toBe(ctx.doc.removed);
  });

  it('can be started again after stop', () => {
    const { connection, attempts } = setup();
    connection.start();
    connection.stop();
    expect(connection.snapshot().state).toBe('closed');
    connection.start();
    expect(attempts).toHaveLength(2);
    expect(connection.snapshot().state).toBe('connecting');
    connection.stop();
  });

  it('stop from idle keeps the state idle', () => {
    const { connection, states } = setup();
    connection.stop();
    expect(connection.snapshot().state).toBe('idle');
    expect(states).toEqual([]);
  });
});
