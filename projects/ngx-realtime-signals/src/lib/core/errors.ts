import type { RealtimeError } from './types';

/**
 * The closed vocabulary of {@link RealtimeError.code}: every code the library reports,
 * each with one meaning (listed in the README's "Error codes" section). HTTP statuses
 * are not codes of their own: every refused HTTP answer is `http_error` with the
 * status in `status`, so the list stays finite and `Record<RealtimeErrorCode, string>`
 * can name every case.
 *
 * @example
 * ```ts
 * const text: Record<RealtimeErrorCode, string> = { network: 'No connection', offline: 'You are offline', ... };
 * const label = computed(() => { const error = chat.lastError(); return error ? text[error.code] : ''; });
 * ```
 */
export type RealtimeErrorCode =
  | 'network'
  | 'offline'
  | 'http_error'
  | 'token_expired'
  | 'auth_token_failed'
  | 'bad_content_type'
  | 'stream_ended'
  | 'protocol'
  | 'parse_failed'
  | 'heartbeat_timeout'
  | 'socket_closed'
  | 'join_refused'
  | 'invalid_url'
  | 'unsupported'
  | 'aborted';

/** Every {@link RealtimeErrorCode}, for code that checks a value against the vocabulary. */
export const REALTIME_ERROR_CODES = [
  'network',
  'offline',
  'http_error',
  'token_expired',
  'auth_token_failed',
  'bad_content_type',
  'stream_ended',
  'protocol',
  'parse_failed',
  'heartbeat_timeout',
  'socket_closed',
  'join_refused',
  'invalid_url',
  'unsupported',
  'aborted',
] as const satisfies readonly RealtimeErrorCode[];

// the list above names every code of the union (a missing one fails to compile here)
const EVERY_CODE_LISTED: [Exclude<RealtimeErrorCode, (typeof REALTIME_ERROR_CODES)[number]>] extends [never] ? true : never = true;
void EVERY_CODE_LISTED;

/**
 * Statuses worth retrying: the server is overloaded or briefly unavailable.
 * 401/403 need new credentials and 204 is the server saying "stop", so retrying
 * them would only hammer the server.
 */
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Close codes after which reconnecting cannot help: 1008 = policy violation (e.g. the rate limit). */
const FINAL_CLOSE_CODES = new Set([1008]);

/** The chat server's close code for a token that reached its `exp`. */
const TOKEN_EXPIRED_CLOSE = 4401;

/**
 * The error code of a credential that expired (HTTP 401 `token_expired`, chat close 4401).
 * The connection retries it at once, since each attempt fetches a fresh token, but
 * only once until an attempt opens.
 *
 * @example
 * ```ts
 * if (service.lastError()?.code === TOKEN_EXPIRED) showSignInAgain();
 * ```
 */
export const TOKEN_EXPIRED = 'token_expired' satisfies RealtimeErrorCode;

/**
 * Builds an error value with an explicit code; the specific builders below fill in
 * the retry rule of their code.
 *
 * @example
 * ```ts
 * realtimeError('stream_ended', 'The server closed the stream', true);
 * ```
 */
export function realtimeError(
  code: RealtimeErrorCode,
  message: string,
  retryable: boolean,
  details: Pick<RealtimeError, 'status' | 'serverCode'> = {},
): RealtimeError {
  return { code, message, retryable, ...details };
}

/**
 * The error value for an HTTP answer other than the expected one: `http_error`
 * with `status`, retryable for 408, 425, 429 and 5xx. `serverCode` is the
 * `error.code` of the answer's JSON body: a 401 `token_expired` becomes the
 * retryable `token_expired` (a fresh token may fix it), every other 401 stays final.
 *
 * @example
 * ```ts
 * httpError(503).retryable;                              // true
 * httpError(401);                                        // { code: 'http_error', status: 401, retryable: false, ... }
 * httpError(401, 'expired', 'token_expired').code;       // 'token_expired'
 * ```
 */
export function httpError(status: number, message = `HTTP ${status}`, serverCode: string | null = null): RealtimeError {
  const details = serverCode === null ? { status } : { status, serverCode };
  if (status === 401 && serverCode === TOKEN_EXPIRED) return realtimeError(TOKEN_EXPIRED, message, true, details);
  return realtimeError('http_error', message, RETRYABLE_STATUSES.has(status) || status >= 500, details);
}

/**
 * A network-level failure (DNS, refused, reset, no answer in time); always retryable.
 *
 * @example
 * ```ts
 * sink.closed(networkError(err));
 * ```
 */
export function networkError(cause?: unknown): RealtimeError {
  const detail = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
  return realtimeError('network', detail ? `Network error: ${detail}` : 'Network error', true);
}

/**
 * The `withAuthToken` function threw or rejected. Retryable: a token refresh often
 * fails for the same transient reasons as the connection itself. One error for
 * every transport; a token function that rejects with a {@link RealtimeError} keeps it.
 *
 * @example
 * ```ts
 * runtime.headers().catch((err) => ctx.closed(authTokenError(err)));
 * ```
 */
export function authTokenError(cause: unknown): RealtimeError {
  if (isRealtimeError(cause)) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return realtimeError('auth_token_failed', `The auth token function failed: ${detail}`, true);
}

/**
 * The chat socket closed after it had opened: close code 4401 is `token_expired`
 * (retried at once with a fresh token), 1008 is final, every other close is a
 * retryable `socket_closed`.
 *
 * @example
 * ```ts
 * socket.addEventListener('close', (ev) => sink.closed(socketClosedError(ev.code, ev.reason)));
 * ```
 */
export function socketClosedError(closeCode: number, reason = ''): RealtimeError {
  const detail = reason ? `${closeCode} ${reason}` : String(closeCode);
  if (closeCode === TOKEN_EXPIRED_CLOSE) {
    return realtimeError(TOKEN_EXPIRED, `The chat connection closed (${detail}): the token expired.`, true);
  }
  return realtimeError('socket_closed', `The chat connection closed (${detail}).`, !FINAL_CLOSE_CODES.has(closeCode));
}

/**
 * The server refused to join a chat room (`ChatRoom.error`); `serverCode` says why.
 *
 * @example
 * ```ts
 * joinRefusedError('too_many_rooms', 'At most 20 rooms per connection');
 * ```
 */
export function joinRefusedError(serverCode: string, message: string): RealtimeError {
  return realtimeError('join_refused', message, false, { serverCode });
}

/**
 * Whether a thrown/rejected value already is a {@link RealtimeError} (a code of the vocabulary and a retry rule).
 *
 * @example
 * ```ts
 * const err = isRealtimeError(e) ? e : networkError(e);
 * ```
 */
export function isRealtimeError(value: unknown): value is RealtimeError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (REALTIME_ERROR_CODES as readonly unknown[]).includes((value as RealtimeError).code) &&
    typeof (value as RealtimeError).retryable === 'boolean'
  );
}

/**
 * The `error.code` and `error.message` of a JSON error answer
 * (`{"error":{"code":"...","message":"..."}}`); nulls for anything else.
 *
 * @example
 * ```ts
 * const { code, message } = parseErrorBody(await response.text());
 * throw httpError(response.status, message ?? `HTTP ${response.status}`, code);
 * ```
 */
export function parseErrorBody(text: string): { code: string | null; message: string | null } {
  let error: unknown;
  try {
    error = (JSON.parse(text) as { error?: unknown } | null)?.error;
  } catch {
    return { code: null, message: null };
  }
  if (typeof error !== 'object' || error === null) return { code: null, message: null };
  const { code, message } = error as { code?: unknown; message?: unknown };
  return { code: typeof code === 'string' ? code : null, message: typeof message === 'string' ? message : null };
}
