import type { NextFunction, Request, Response } from 'express';
import { ApiError, type ErrorCode, sendError } from './errors.js';
import { LogUnavailableError } from './log/event-log.js';
import type { Logger } from './logger.js';

/** body-parser and http-errors tag their errors with `type`/`status`; map them onto our codes. */
interface TaggedError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

const BODY_PARSER_CODES: Readonly<Record<string, ErrorCode>> = {
  'entity.parse.failed': 'invalid_json',
  'entity.too.large': 'payload_too_large',
  'encoding.unsupported': 'unsupported_media_type',
  'charset.unsupported': 'unsupported_media_type',
  'entity.verify.failed': 'bad_request',
  'request.size.invalid': 'bad_request',
  'parameters.too.many': 'bad_request',
};

/** Paths relative to the realtime router's mount point. */
const TOPIC_ROUTE = /^\/(topics|events|poll)\//;

/**
 * The last Express middleware: every error becomes `{ error: { code, message } }`,
 * never Express's HTML page. Unknown errors are logged and answered as 500
 * without internals.
 */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (error instanceof ApiError) {
      sendError(res, error.code, error.message, error.headers);
      return;
    }
    if (error instanceof LogUnavailableError) {
      // A publish answered 503 was not logged (never a false 201); reads can be retried anywhere.
      sendError(res, 'log_unavailable', undefined, { 'Retry-After': '1' });
      return;
    }
    const tagged = (typeof error === 'object' && error !== null ? error : {}) as TaggedError;
    if (tagged.type === 'request.aborted') {
      res.destroy();
      return;
    }
    const mapped = tagged.type !== undefined ? BODY_PARSER_CODES[tagged.type] : undefined;
    if (mapped) {
      sendError(res, mapped);
      return;
    }
    // A malformed %-escape in the path fails to decode before our handlers run; on topic routes it is a bad topic.
    if (error instanceof URIError || (tagged.status === 400 && TOPIC_ROUTE.test(req.path))) {
      sendError(res, TOPIC_ROUTE.test(req.path) ? 'invalid_topic' : 'bad_request');
      return;
    }
    const status = tagged.status ?? tagged.statusCode;
    if (status === 403) return sendError(res, 'forbidden');
    if (status === 404) return sendError(res, 'not_found');
    if (status === 413) return sendError(res, 'payload_too_large');
    if (status === 415) return sendError(res, 'unsupported_media_type');
    if (status !== undefined && status >= 400 && status < 500) return sendError(res, 'bad_request');
    logger.error({ err: error, method: req.method, path: req.path }, 'unhandled request error');
    sendError(res, 'internal_error');
  };
}
