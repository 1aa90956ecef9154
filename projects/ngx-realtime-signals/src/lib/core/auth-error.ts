import { isRealtimeError } from './errors';
import type { RealtimeError } from './types';

/**
 * The error for a token function that threw or rejected. Retryable: a token
 * refresh often fails for the same transient reasons as the connection itself.
 *
 * @example
 * ```ts
 * runtime.headers().catch((err) => ctx.closed(authTokenError(err)));
 * ```
 */
export function authTokenError(cause: unknown): RealtimeError {
  if (isRealtimeError(cause)) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return { code: 'unauthorized', message: `The auth token function failed: ${detail}`, retryable: true };
}
