import { isRealtimeError, networkError } from '../core/errors';
import type { RealtimeError, RealtimeEvent } from '../core/types';
import type { PollResponse, RealtimeTransports } from '../core/transports/realtime-transports';

/** Events the leader keeps per polled topic to answer tabs that are a little behind. */
const RING_SIZE = 1000;
/** The leader's own poll: as long as the server allows by default, as many events as it allows. */
const UPSTREAM_TIMEOUT_MS = 25_000;
const UPSTREAM_LIMIT = 1000;
/** The shared poll stops when no tab has asked for this long. */
const IDLE_STOP_MS = 10_000;

export interface PollAsk {
  readonly cursor: string | null;
  readonly timeoutMs: number;
  readonly limit: number;
  readonly headers: Record<string, string>;
  answer(response: PollResponse): void;
  fail(error: RealtimeError): void;
}

interface Waiter {
  ask: PollAsk;
  timer: unknown;
}

export interface PollUpstreamClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The leader's one real long poll for one poll URL, answering every tab's
 * polls of that URL from what it has received: a tab whose cursor is among the
 * recent events gets what follows it at once, a tab at the head waits for the
 * next answer (or its own timeout), and a tab whose cursor it does not know
 * (behind its window) is answered by a one-off poll from that cursor that does
 * not wait, so each tab gets exactly the events after its own cursor.
 */
export class PollUpstream {
  private readonly ring: RealtimeEvent[] = [];
  /** The position before ring[0]; null when unknown (after a reset). */
  private anchor: string | null | undefined = undefined;
  private head: string | undefined = undefined;
  private caughtUp = false;
  private running = false;
  private controller: AbortController | null = null;
  private readonly waiters = new Set<Waiter>();
  /** Cursors a catch-up poll found at the server's head: wait for the shared poll rather than asking again. */
  private readonly parked = new Set<string>();
  private lastAsk = 0;
  private disposed = false;

  constructor(
    private readonly transports: RealtimeTransports,
    private readonly url: string,
    private readonly topic: string,
    private readonly clock: PollUpstreamClock,
    private readonly onIdle: () => void,
  ) {}

  ask(ask: PollAsk): () => void {
    this.lastAsk = this.clock.now();
    const waiter: Waiter = { ask, timer: null };
    if (!this.running) this.run(ask);
    if (this.evaluate(waiter)) return () => undefined;
    this.waiters.add(waiter);
    waiter.timer = this.clock.setTimeout(() => {
      // a tab asking "from now" waits for the shared poll's first answer to learn where now is
      if (ask.cursor === null && this.head === undefined) return;
      if (!this.waiters.delete(waiter)) return;
      ask.answer({ events: [], cursor: ask.cursor ?? this.head ?? '' });
    }, ask.timeoutMs);
    return () => this.drop(waiter);
  }

  dispose(): void {
    this.disposed = true;
    this.running = false;
    this.controller?.abort();
    for (const waiter of this.waiters) this.clock.clearTimeout(waiter.timer);
    this.waiters.clear();
  }

  /** Answers `waiter` now if it can; false when it has to wait. */
  private evaluate(waiter: Waiter): boolean {
    const { ask } = waiter;
    if (this.head === undefined) return false;
    if (ask.cursor === null) return this.finish(waiter, { events: [], cursor: this.head });
    const start = this.indexAfter(ask.cursor);
    if (start !== null) {
      if (start >= this.ring.length) return ask.timeoutMs === 0 ? this.finish(waiter, { events: [], cursor: ask.cursor }) : false;
      const events = this.ring.slice(start, start + ask.limit);
      const cursor = start + events.length >= this.ring.length ? this.head : events[events.length - 1].id;
      return this.finish(waiter, { events, cursor });
    }
    if (this.caughtUp && !this.parked.has(ask.cursor)) {
      this.catchUp(waiter);
      return true;
    }
    return ask.timeoutMs === 0 ? this.finish(waiter, { events: [], cursor: ask.cursor }) : false;
  }

  /** Index in the ring of the first event after `cursor`; null when the cursor is not known here. */
  private indexAfter(cursor: string): number | null {
    if (cursor === this.head) return this.ring.length;
    for (let i = this.ring.length - 1; i >= 0; i--) if (this.ring[i].id === cursor) return i + 1;
    if (this.anchor !== undefined && this.anchor !== null && cursor === this.anchor) return 0;
    return null;
  }

  private finish(waiter: Waiter, response: PollResponse): true {
    this.drop(waiter);
    waiter.ask.answer(response);
    return true;
  }

  private drop(waiter: Waiter): void {
    this.waiters.delete(waiter);
    this.clock.clearTimeout(waiter.timer);
  }

  private catchUp(waiter: Waiter): void {
    const { ask } = waiter;
    this.drop(waiter);
    const controller = new AbortController();
    this.transports
      .poll({ url: this.url, topic: this.topic, cursor: ask.cursor, timeoutMs: 0, limit: ask.limit, headers: ask.headers, signal: controller.signal })
      .then(
        (response) => {
          if (response.events.length === 0 && !response.reset && ask.cursor !== null) this.parked.add(ask.cursor);
          ask.answer(response);
        },
        (err: unknown) => ask.fail(isRealtimeError(err) ? err : networkError(err)),
      );
  }

  private run(first: PollAsk): void {
    this.running = true;
    this.caughtUp = false;
    this.anchor = first.cursor;
    this.head = undefined;
    this.ring.length = 0;
    const controller = new AbortController();
    this.controller = controller;
    const loop = async () => {
      let initial = true;
      while (this.running && this.controller === controller) {
        if (!initial && this.waiters.size === 0 && this.clock.now() - this.lastAsk > IDLE_STOP_MS) break;
        const cursor = this.head ?? first.cursor;
        const response = await this.transports.poll({
          url: this.url,
          topic: this.topic,
          cursor,
          timeoutMs: initial ? 0 : UPSTREAM_TIMEOUT_MS,
          limit: UPSTREAM_LIMIT,
          headers: first.headers,
          signal: controller.signal,
        });
        if (!this.running || this.controller !== controller) return;
        initial = false;
        this.received(response);
      }
      this.stop();
    };
    loop().catch((err: unknown) => {
      if (this.controller !== controller || this.disposed) return;
      const error = isRealtimeError(err) ? err : networkError(err);
      for (const waiter of [...this.waiters]) {
        this.drop(waiter);
        waiter.ask.fail(error);
      }
      this.stop();
    });
  }

  private received(response: PollResponse): void {
    if (response.reset) {
      this.ring.length = 0;
      this.anchor = null;
    } else if (this.ring.length === 0 && this.head !== undefined) {
      this.anchor = this.head;
    }
    for (const event of response.events) this.ring.push(event);
    if (this.ring.length > RING_SIZE) {
      const dropped = this.ring.splice(0, this.ring.length - RING_SIZE);
      this.anchor = dropped[dropped.length - 1].id;
    }
    this.head = response.cursor;
    this.caughtUp = response.events.length < UPSTREAM_LIMIT;
    this.parked.clear();
    for (const waiter of [...this.waiters]) this.evaluate(waiter);
  }

  private stop(): void {
    this.running = false;
    this.controller = null;
    this.head = undefined;
    if (this.waiters.size === 0) this.onIdle();
  }
}
