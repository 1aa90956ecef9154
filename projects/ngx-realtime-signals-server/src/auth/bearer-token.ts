import { AuthFailure } from './identity.js';

/** RFC 6750 section 2.1: `Bearer` then a b64token (base64url JWTs fit). */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The bearer token of a request: the `Authorization: Bearer` header, else
 * (where the route allows it) the `access_token` query parameter. The header
 * wins when both are sent. Null when there is none; a malformed header or a
 * repeated `access_token` is refused rather than guessed at.
 *
 * @example
 * bearerToken('Bearer eyJ...', new URL(req.url, 'http://x').searchParams); // 'eyJ...'
 */
export function bearerToken(authorization: string | undefined, query: URLSearchParams | null): string | null {
  if (authorization !== undefined) {
    const match = BEARER.exec(authorization);
    if (!match) throw new AuthFailure('unauthorized', 'invalid', 'The Authorization header must be "Bearer <token>".');
    return match[1];
  }
  if (query === null) return null;
  const values = query.getAll('access_token');
  if (values.length > 1) throw new AuthFailure('unauthorized', 'invalid', 'Send access_token once.');
  return values[0] ?? null;
}

/** The query of a raw request URL (`/path?a=b`). */
export function queryOf(url: string | undefined): URLSearchParams {
  return new URL(url ?? '/', 'http://request.invalid').searchParams;
}

/** The `realm` of every challenge unless the `authRealm` option names another. */
export const DEFAULT_AUTH_REALM = 'realtime';

/** The RFC 6750 challenge for a refusal: no error for a request without a token, `invalid_token` otherwise. */
export function challenge(failure: AuthFailure, realm: string = DEFAULT_AUTH_REALM): string {
  if (failure.reason === 'missing') return `Bearer realm="${realm}"`;
  const description = failure.message.replace(/["\\]/g, '');
  return `Bearer realm="${realm}", error="invalid_token", error_description="${description}"`;
}

/** The challenge sent with a 403: the token is fine, it just does not cover this topic. */
export function insufficientScopeChallenge(realm: string = DEFAULT_AUTH_REALM): string {
  return `Bearer realm="${realm}", error="insufficient_scope"`;
}
