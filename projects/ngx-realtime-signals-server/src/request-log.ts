import type { NextFunction, Request, Response } from 'express';
import { clientIp } from './limits.js';
import type { Logger } from './logger.js';

const REDACTED_PARAMS = new Set(['access_token']);

/**
 * A request URL fit for a log line: the value of `access_token` (a bearer
 * token sent in the query by EventSource and WebSocket clients) is replaced,
 * however its name was percent-encoded.
 *
 * @example
 * redactUrl('/api/events/a?access_token=eyJ...'); // '/api/events/a?access_token=%5Bredacted%5D'
 */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const params = new URLSearchParams(url.slice(mark + 1));
  let secret = false;
  for (const name of params.keys()) if (REDACTED_PARAMS.has(name)) secret = true;
  if (!secret) return url;
  const kept = new URLSearchParams();
  for (const [name, value] of params) kept.append(name, REDACTED_PARAMS.has(name) ? '[redacted]' : value);
  return `${url.slice(0, mark)}?${kept.toString()}`;
}

/**
 * One debug line per finished request (method, redacted URL, status, time, and the client
 * address the limits use: behind a trusted proxy, the one it forwarded);
 * at the default level `info` nothing is written.
 *
 * @example
 * app.use(requestLog(logger));
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!logger.isLevelEnabled('debug')) return next();
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.debug({ method: req.method, url: redactUrl(req.originalUrl), status: res.statusCode, ms, ip: clientIp(req) }, 'request');
    });
    next();
  };
}
