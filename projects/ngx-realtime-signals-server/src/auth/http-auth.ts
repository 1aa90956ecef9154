import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { topicParam } from '../request-params.js';
import { DEFAULT_AUTH_REALM, bearerToken, challenge, insufficientScopeChallenge, queryOf } from './bearer-token.js';
import { AuthFailure, assertUnexpired, type Identity } from './identity.js';
import { canPublish, canRead } from './topic-access.js';
import type { TokenVerifier } from './token-verifier.js';

/**
 * GET routes that may carry `?access_token=` (paths relative to the router's mount point): a
 * native EventSource cannot send headers. The chat path is listed because
 * its upgrade uses the query too.
 */
const QUERY_TOKEN_ROUTES = /^\/(events|poll)\/[^/]+\/?$|^\/chat(\/events|\/poll)?\/?$/i;
/** Express routes ignore case and a trailing slash; so must the exemption, or /Health would need a token. */
const OPEN_ROUTE = /^\/health(\/ready)?\/?$/i;

/**
 * In the realtime router after the Origin and rate checks: every route except
 * `health` and `health/ready` needs a valid bearer token; the identity goes to
 * `res.locals.identity` for the topic checks. Refusals are 401 with a
 * `WWW-Authenticate: Bearer` challenge.
 *
 * @example
 * if (verifier) router.use(requireToken(verifier, metrics, realm));
 */
export function requireToken(verifier: TokenVerifier, metrics: Pick<Metrics, 'authFailures'>, realm = DEFAULT_AUTH_REALM) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (OPEN_ROUTE.test(req.path) || req.method === 'OPTIONS') return next();
    const queryAllowed = (req.method === 'GET' || req.method === 'HEAD') && QUERY_TOKEN_ROUTES.test(req.path);
    try {
      const token = bearerToken(req.get('authorization'), queryAllowed ? queryOf(req.originalUrl) : null);
      res.locals['identity'] = await verifier.verify(token);
    } catch (error) {
      throw authError(error, metrics, realm);
    }
    next();
  };
}

/** A verifier's AuthFailure as the HTTP error to send (and counted); anything else passes through. */
export function authError(error: unknown, metrics: Pick<Metrics, 'authFailures'>, realm = DEFAULT_AUTH_REALM): unknown {
  if (!(error instanceof AuthFailure)) return error;
  metrics.authFailures.inc({ reason: error.reason });
  return new ApiError(error.code, error.message, { 'WWW-Authenticate': challenge(error, realm) });
}

/** The identity requireToken stored; null when auth is off. */
export function identityOf(res: Response): Identity | null {
  return (res.locals['identity'] as Identity | undefined) ?? null;
}

/** Route guard for SSE and long poll: `user:<id>` is readable by `<id>` only (403 forbidden). */
export function readAccess(metrics: Pick<Metrics, 'authFailures'>, realm = DEFAULT_AUTH_REALM) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!canRead(identityOf(res), topicParam(req.params['topic']))) {
      throw forbidden(metrics, realm, 'A user:<id> topic is readable only with a token whose sub is <id>.');
    }
    next();
  };
}

/** Route guard for publish: see canPublish. */
export function publishAccess(metrics: Pick<Metrics, 'authFailures'>, realm = DEFAULT_AUTH_REALM) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!canPublish(identityOf(res), topicParam(req.params['topic']))) {
      throw forbidden(
        metrics,
        realm,
        'Publishing here needs a token with the "publish" scope; without it a token may publish to its own user:<sub> only.',
      );
    }
    next();
  };
}

/**
 * When a stream opened by this request must end (the token's `exp`), or null
 * when auth is off. A token already past `exp` (accepted only through the
 * clock tolerance) is refused: the stream would end as it opened.
 */
export function streamDeadline(res: Response, metrics: Pick<Metrics, 'authFailures'>, realm = DEFAULT_AUTH_REALM): number | null {
  const identity = identityOf(res);
  if (identity === null) return null;
  try {
    assertUnexpired(identity);
  } catch (error) {
    throw authError(error, metrics, realm);
  }
  return identity.expiresAtMs;
}

function forbidden(metrics: Pick<Metrics, 'authFailures'>, realm: string, message: string): ApiError {
  metrics.authFailures.inc({ reason: 'forbidden' });
  return new ApiError('forbidden', message, { 'WWW-Authenticate': insufficientScopeChallenge(realm) });
}
