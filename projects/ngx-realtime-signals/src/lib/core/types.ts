/**
 * Shared vocabulary of the library: connection states, errors and events.
 * Plain TypeScript on purpose (no Angular imports) so the connection logic can
 * be tested without TestBed. The transport seam is in transports/realtime-transports.ts.
 */

import type { RealtimeErrorCode } from './errors';

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
 * A failure delivered as a value (never thrown at the app). `code` is one of the
 * closed {@link RealtimeErrorCode} list, each explained in the README's "Error codes"
 * section; `retryable` says whether the connection tries again.
 *
 * @example
 * ```ts
 * const err: RealtimeError = { code: 'http_error', message: 'Unauthorized', status: 401, retryable: false };
 * if (err.code === 'http_error' && err.status === 401) signIn();
 * ```
 */
export interface RealtimeError {
  /** What went wrong, from the closed list of the README's "Error codes". */
  code: RealtimeErrorCode;
  /** A sentence for logs and developers (not meant for end users). */
  message: string;
  /** The HTTP status, for `http_error` (and `token_expired` from an HTTP answer). */
  status?: number;
  /** The server's own `error.code` when it sent one (a JSON error body, a chat `error` frame), e.g. `too_many_rooms`. */
  serverCode?: string;
  /** Whether the connection tries again; false means the state is now `failed`. */
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
