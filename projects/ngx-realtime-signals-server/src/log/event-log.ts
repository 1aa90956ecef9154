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
  /** `listener` gets every event appended after `subscribe()` returns, in order. Returns unsubscribe. */
  subscribe(topic: string, listener: (event: LoggedEvent) => void): () => void;
  /** Could this log ever have issued `cursor`? (a format check; false means 400 invalid_cursor). */
  isValidCursor(cursor: string): boolean;
  /** Log order of two ids of this log: negative when `a` comes first. */
  compare(a: string, b: string): number;
  close(): Promise<void>;
}
