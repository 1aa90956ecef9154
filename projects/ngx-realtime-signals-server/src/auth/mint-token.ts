export interface MintOptions {
  /** The `authSecret` of the server that will check the token. */
  secret: string;
  sub: string;
  /** Lifetime in seconds (default one hour). */
  ttlS?: number;
  /** Space-separated scopes, e.g. "publish". */
  scope?: string;
  issuer?: string | null;
  audience?: string | null;
}

/**
 * Signs an HS256 token the way the server checks it (sub, iat, exp, and
 * iss/aud/scope when given). For development and tests; production tokens
 * come from the identity provider that shares the secret.
 *
 * @example
 * const token = await mintToken({ secret: process.env['AUTH_SECRET']!, sub: 'alice', ttlS: 600 });
 */
export async function mintToken(options: MintOptions): Promise<string> {
  // Loaded here rather than at the top, so an app that never mints a token never loads jose.
  const { SignJWT } = await import('jose');
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(options.scope ? { scope: options.scope } : {})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlS ?? 3600));
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
