import type { RealtimeError } from './types';

/**
 * Statuses worth retrying: the server is overloaded or briefly unavailable.
 * 401/403 need new credentials and 204 is the server saying "stop", so retrying
 * them would only hammer the server.
 */
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * The error value for an HTTP status other than 200.
 *
 * @example
 * ```ts
 * httpError(503).retryable; // true
 * httpError(401).code;      // 'http_401'
 * ```
 */
export function httpError(status: number, message = `HTTP ${status}`): RealtimeError {
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
