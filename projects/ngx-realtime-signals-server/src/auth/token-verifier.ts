import type { RealtimeSettings } from '../options.js';
import { AuthFailure, type Identity } from './identity.js';

type Jose = typeof import('jose');

export interface TokenVerifier {
  /** Resolves with the token's identity, or rejects with AuthFailure. */
  verify(token: string | null): Promise<Identity>;
}

/** Longer than any sane HS256 JWT; bounds the work an attacker can ask for. */
const MAX_TOKEN_CHARS = 8192;
const MAX_SUB_CHARS = 128;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export type AuthConfig = Pick<RealtimeSettings, 'authSecret' | 'authIssuer' | 'authAudience' | 'authClockToleranceS'>;

/**
 * HS256 bearer-token checks with jose: signature, algorithm (HS256 only, so
 * `none` and every other alg are refused), `exp` (required), `nbf`, and `iss`
 * / `aud` when configured, with `authClockToleranceS` of skew.
 * Returns null when auth is off (no `authSecret`).
 *
 * @example
 * const verifier = createTokenVerifier(config);
 * const identity = await verifier?.verify(token); // identity.sub
 */
export function createTokenVerifier(config: AuthConfig): TokenVerifier | null {
  if (config.authSecret === null) return null;
  // Loaded on the first check only, so an auth-off server (and a test runner that cannot load ESM
  // in-process) never loads jose.
  let loading: Promise<Jose> | undefined;
  const loadJose = (): Promise<Jose> => (loading ??= import('jose'));
  const key = new TextEncoder().encode(config.authSecret);
  const options = {
    algorithms: ['HS256'],
    clockTolerance: config.authClockToleranceS,
    requiredClaims: ['sub', 'exp'],
    ...(config.authIssuer !== null ? { issuer: config.authIssuer } : {}),
    ...(config.authAudience !== null ? { audience: config.authAudience } : {}),
  };

  return {
    async verify(token) {
      if (token === null || token === '') {
        throw new AuthFailure('unauthorized', 'missing', 'A bearer token is required.');
      }
      if (token.length > MAX_TOKEN_CHARS) throw new AuthFailure('unauthorized', 'invalid', 'The token is malformed.');
      const jose = await loadJose();
      let payload: import('jose').JWTPayload;
      try {
        ({ payload } = await jose.jwtVerify(token, key, options));
      } catch (error) {
        throw refusal(jose, error);
      }
      const { sub, exp } = payload;
      if (typeof sub !== 'string' || sub === '' || sub.length > MAX_SUB_CHARS || CONTROL_CHARACTERS.test(sub)) {
        throw new AuthFailure('unauthorized', 'invalid', `The token's sub must be 1..${MAX_SUB_CHARS} printable characters.`);
      }
      return { sub, expiresAtMs: (exp as number) * 1000, scopes: scopesOf(payload['scope']) };
    },
  };
}

/** jose's errors carry more than a client should see (the payload, say); map them onto short fixed messages. */
function refusal(jose: Jose, error: unknown): AuthFailure {
  const { errors } = jose;
  if (error instanceof errors.JWTExpired) {
    return new AuthFailure('token_expired', 'expired', 'The token has expired; get a fresh one.');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new AuthFailure('unauthorized', 'invalid', claimMessage(error.claim, error.reason));
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new AuthFailure('unauthorized', 'invalid', 'The token must be signed with HS256.');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthFailure('unauthorized', 'invalid', 'The token signature is not valid.');
  }
  return new AuthFailure('unauthorized', 'invalid', 'The token is malformed.');
}

function claimMessage(claim: string, reason: string): string {
  if (reason === 'missing') return `The token has no ${claim} claim.`;
  if (claim === 'nbf') return 'The token is not valid yet.';
  if (claim === 'iss') return 'The token was issued by an issuer this server does not accept.';
  if (claim === 'aud') return 'The token is meant for another audience.';
  return `The token's ${claim} claim is not valid.`;
}

function scopesOf(claim: unknown): ReadonlySet<string> {
  if (typeof claim !== 'string') return new Set();
  return new Set(claim.split(' ').filter((scope) => scope !== ''));
}
