import type { RealtimeSettings } from './options.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The Origin policy for browsers (requests without an Origin header come from
 * non-browser clients, which could send any Origin anyway, so they pass).
 * With `allowedOrigins` null (the default): the server's own origin (matched against the
 * Host header) and http(s) origins on localhost, 127.0.0.1 and [::1] on any
 * port. With it set: exactly the listed origins, `*` meaning any.
 *
 * @example
 * isOriginAllowed(req.headers.origin, req.headers.host, config);
 */
export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  config: Pick<RealtimeSettings, 'allowedOrigins'>,
): boolean {
  if (origin === undefined) return true;
  const parsed = parseOrigin(origin);
  if (config.allowedOrigins !== null) {
    if (config.allowedOrigins.includes('*')) return true;
    return parsed !== null && config.allowedOrigins.includes(parsed.origin);
  }
  if (parsed === null) return false;
  if (host !== undefined && parsed.host === host.toLowerCase()) return true;
  return LOOPBACK_HOSTS.has(parsed.hostname);
}

/** Only real http(s) origins count; "null" (sandboxed frames, file://) never matches the default policy. */
function parseOrigin(origin: string): URL | null {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin === origin.toLowerCase() ? url : null;
  } catch {
    return null;
  }
}
