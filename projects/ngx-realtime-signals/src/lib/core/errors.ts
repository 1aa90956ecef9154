import type { RealtimeError } from './types';

/**
 * Statuses worth retrying: the server is overloaded or briefly unavailable.
 * 401/403 need new credentials and 204 is the server saying "stop", so retrying
 * them would only hammer the server.
 */
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

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
export const TOKEN_EXPIRED = 'token_expired';

/**
 * The error value for an HTTP status other than 200. `serverCode` is the
 * `error.code` of the answer's JSON body: a 401 `token_expired` becomes the
 * retryable `token_expired` (a fresh token may fix it), every other 401 stays final.
 *
 * @example
 * ```ts
 * httpError(503).retryable;                              // true
 * httpError(401).code;                                   // 'http_401'
 * httpError(401, 'expired', 'token_expired').retryable;  // true
 * ```
 */
export function httpError(status: number, message = `HTTP ${status}`, serverCode: string | null = null): RealtimeError {
  if (status === 401 && serverCode === TOKEN_EXPIRED) return { code: TOKEN_EXPIRED, message, status, retryable: true };
  return { code: `http_${status}`, message, status, retryable: RETRYABLE_STATUSES.has(status) || status >= 500 };
}

/**
 * A network-level failure (DNS, refused, reset); always retryable.
 *
 * @example
 * ```ts
 * sink.closed(networkError(err));
 * ```
 */
export function networkError(cause?: unknown): RealtimeError {
  const detail = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
  return { code: 'network', message: detail ? `Network error: ${detail}` : 'Network error', retryable: true };
}

/**
 * Builds an error value with an explicit code.
 *
 * @example
 * ```ts
 * realtimeError('stream_ended', 'The server closed the stream', true);
 * ```
 */
export function realtimeError(code: string, message: string, retryable: boolean): RealtimeError {
  return { code, message, retryable };
}

/**
 * Whether a thrown/rejected value already is a {@link RealtimeError}.
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
    typeof (value as RealtimeError).code === 'string' &&
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
