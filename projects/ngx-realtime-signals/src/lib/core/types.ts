/**
 * Shared vocabulary of the library: connection states, errors and events.
 * Plain TypeScript on purpose (no Angular imports) so the connection logic can
 * be tested without TestBed. The transport seam is in transports/realtime-transports.ts.
 */

/**
 * Where a connection is in its life cycle.
 *
 * `idle` (never started) -> `connecting` -> `open` -> `reconnecting` -> `connecting` -> ...
 * and finally `closed` (stopped by the app) or `failed` (gave up: a non-retryable
 * error or the retry budget is spent).
 *
 * @example
 * ```ts
 * const label: Record<ConnectionState, string> = { idle: 'Not connected', connecting: 'Connecting…',
 *   open: 'Live', reconnecting: 'Reconnecting…', closed: 'Disconnected', failed: 'Offline' };
 * ```
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'failed';

/**
 * A failure delivered as a value (never thrown at the app).
 *
 * Codes: `network` (retryable), `http_<status>` (401/403/204 and other 4xx are not retryable;
 * 5xx, 408 and 429 are), `token_expired` (HTTP 401 `token_expired` or chat close 4401: retried at
 * once with a fresh token, once in a row), `bad_content_type` (not retryable), `stream_ended`,
 * `heartbeat_timeout`, `socket_closed` (final for close code 1008), `unauthorized`, `protocol`, `offline`,
 * `parse_failed` (an SSE `data` that the stream's `parse` option refused; not retryable).
 *
 * @example
 * ```ts
 * const err: RealtimeError = { code: 'http_401', message: 'Unauthorized', status: 401, retryable: false };
 * ```
 */
export interface RealtimeError {
  code: string;
  message: string;
  status?: number;
  retryable: boolean;
}

/**
 * One event of a topic's log. `id` is opaque, compared for equality only, and
 * doubles as the cursor to resume after it.
 *
 * @example
 * ```ts
 * const e: RealtimeEvent<{ text: string }> = { id: 'k1-7', topic: 'news', type: 'post', data: { text: 'hi' }, ts: Date.now() };
 * ```
 */
export interface RealtimeEvent<T = unknown> {
  id: string;
  topic: string;
  type: string;
  data: T;
  ts: number;
}

/**
 * The server said the cursor was older than its history (`reset`): some events
 * were never delivered. `cursor` is where the server moved the reader (just before
 * its oldest retained event, which follows), `at` is `Date.now()` when the client
 * learned it.
 *
 * @example
 * ```ts
 * effect(() => { if (feed.gap()) reloadFromScratch(); });
 * ```
 */
export interface RealtimeGap {
  cursor: string;
  at: number;
}
