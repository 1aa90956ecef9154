import type { NextFunction, Request, Response } from 'express';
import type { RealtimeSettings } from './options.js';
import { ApiError } from './errors.js';
import { type HttpRateLimiter, clientIp } from './limits.js';
import { isOriginAllowed } from './origin.js';

/**
 * Runs in front of every route of the realtime router: the Origin policy (CORS headers and
 * preflight answers for allowed foreign origins), then the optional rate limit.
 *
 * @example
 * router.use(apiGuard(config, rate));
 */
export function apiGuard(config: Pick<RealtimeSettings, 'allowedOrigins'>, rate: HttpRateLimiter) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    if (!isOriginAllowed(origin, req.get('host'), config)) throw new ApiError('origin_not_allowed');
    if (origin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After, WWW-Authenticate');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Last-Event-ID, Authorization');
        res.setHeader('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    }
    const decision = rate.hit(clientIp(req));
    if (!decision.allowed) {
      throw new ApiError('rate_limited', undefined, { 'Retry-After': String(decision.retryAfterSeconds) });
    }
    next();
  };
}
