import type { ChatRelay } from './chat-relay.js';
import type { SharedPresence } from './shared-presence.js';

/** One event as every transport delivers it. `ts` is server time in ms since epoch. */
export interface LoggedEvent {
  readonly id: string;
  readonly topic: string;
  readonly type: string;
  readonly data: unknown;
  readonly ts: number;
}

export interface ReadResult {
  events: LoggedEvent[];
  /** Id of the last returned event, else the input cursor, else (from now) the head, else (reset) `resetTo`. */
  cursor: string;
  /** The cursor was a gap: events after it are gone, it came from an earlier process, or it is past the head. */
  reset: boolean;
  /**
   * With `reset`: where the reader was moved, just before the oldest retained
   * event. `events` continue from there, so whatever the log still holds is
   * delivered (after a restart: every event of the new process).
   */
  resetTo?: string;
}

/**
 * The append-only, bounded log behind every transport: one log per topic,
 * ids strictly increasing within a topic. Async so that a shared store
 * (Redis Streams) can implement it too.
 *
 * Gap-free resume: `subscribe()` first, then `read()` from the cursor, then
 * drop live events that `compare()` says the read already covered.
 */
export interface EventLog {
  append(topic: string, type: string, data: unknown): Promise<LoggedEvent>;
  /**
   * Events after `cursor` (null = from now: no events, cursor = head), at most `limit`.
   * `reset` is true when the cursor is a gap; then the reader moves to `resetTo` (just before
   * the oldest retained event) and `events` are the oldest retained ones, so nothing the log
   * still holds is skipped (callers that want "the last N after a reset" use `last()`).
   */
  read(topic: string, cursor: string | null, limit: number): Promise<ReadResult>;
  /** Id of the newest event; non-empty even for an empty topic ("before the first event"). */
  head(topic: string): Promise<string>;
  /** Newest `n` events, oldest first. */
  last(topic: string, n: number): Promise<LoggedEvent[]>;
  /**
   * `listener` gets every event appended after `subscribe()` returns, in order. Returns unsubscribe.
   *
   * A shared log fixes where live delivery starts before it answers the next `read()`, `head()` or
   * `last()` of the topic, so subscribe-then-read still covers every event (see RedisEventLog).
   * `onReset` is called when live delivery lost events (the shared store lost its data, or this
   * subscriber fell behind past the history): the subscriber must read again from its cursor, where
   * it will get a gap (`reset`). Never called by the in-memory log.
   */
  subscribe(topic: string, listener: (event: LoggedEvent) => void, onReset?: () => void): () => void;
  /**
   * Appends unless `key` was already appended to `topic` (a shared log remembers keys across
   * instances); either way resolves with the id the key got. Chat sends use it for `clientId`.
   * Optional: without it, chat deduplicates within this process.
   */
  appendOnce?(topic: string, type: string, data: unknown, key: string): Promise<{ id: string; fresh: boolean }>;
  /** Could this log ever have issued `cursor`? (a format check; false means 400 invalid_cursor). */
  isValidCursor(cursor: string): boolean;
  /** Log order of two ids of this log: negative when `a` comes first. */
  compare(a: string, b: string): number;
  /** Chat presence shared by every process of a deployment (the Redis log); without it presence is per process. */
  readonly presence?: SharedPresence;
  /**
   * Passes HTTP chat POSTs and polls to the process that holds the connection (the Redis log), so
   * any process behind a load balancer serves them; without it an HTTP chat connection is reachable
   * only through the process that opened it (right for a single process).
   */
  readonly chatRelay?: ChatRelay;
  /**
   * What `GET health` and the metrics report about the store behind the log. Optional for a
   * log of the app's own: without it the log counts as `external` and always `ok`.
   */
  status?(): LogStatus;
  close(): Promise<void>;
}

export interface LogStatus {
  /** `memory` or `redis`. */
  readonly kind: string;
  /** `degraded`: the store is not reachable now; appends fail with LogUnavailableError, live fan-out waits. */
  readonly state: 'ok' | 'degraded';
  /** Running totals of a shared store's faults (absent for the in-memory log). */
  readonly counters?: {
    /** Operations that failed because the store was unreachable or slow, by operation. */
    readonly failures: Readonly<Record<string, number>>;
    /** Connections to the store that were lost. */
    readonly disconnects: number;
    /** Live subscriptions told to re-read because the store lost events they had not delivered. */
    readonly resets: number;
  };
}

/**
 * The store behind the log cannot be reached (or did not answer in time): nothing was appended.
 * Answered as `503 log_unavailable`, so a publisher never gets a 201 for an event that was not logged.
 */
export class LogUnavailableError extends Error {
  constructor(message = 'the event log is not reachable', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogUnavailableError';
  }
}
