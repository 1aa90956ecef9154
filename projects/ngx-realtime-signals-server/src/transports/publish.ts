import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ApiError } from '../errors.js';
import { checkEventType } from '../event-type.js';
import { topicParam } from '../request-params.js';
import type { TransportDeps } from './transport-deps.js';

/**
 * POST topics/:topic/events with `{ "type": string, "data": any }` as
 * JSON. Checks run cheapest first (topic, media type, then the body), and
 * nothing is appended unless every check passes.
 *
 * @example
 * router.post('/topics/:topic/events', ...createPublishHandlers(deps));
 */
export function createPublishHandlers(deps: TransportDeps): RequestHandler[] {
  const { log, config, metrics } = deps;

  const checkTopicAndMediaType = (req: Request, _res: Response, next: NextFunction): void => {
    topicParam(req.params['topic']);
    if (!isJsonMediaType(req.get('content-type'))) throw new ApiError('unsupported_media_type');
    next();
  };

  const parseJson = express.json({
    limit: config.bodyLimitBytes,
    strict: false,
    type: ['application/json', 'application/*+json'],
  });

  const publish = async (req: Request, res: Response): Promise<void> => {
    const topic = topicParam(req.params['topic']);
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError('invalid_body');
    const { type, data } = body as { type?: unknown; data?: unknown };
    const typeCheck = checkEventType(type);
    if (typeCheck !== 'ok') throw new ApiError(typeCheck);
    // Chat messages carry a server-set `from`; over HTTP nobody could vouch for it.
    if (topic.startsWith('chat:') && type === 'message') {
      throw new ApiError('reserved_type', 'Events of type "message" in chat topics are written by the chat server only.');
    }
    const event = await log.append(topic, type as string, data === undefined ? null : data);
    metrics.eventsPublished.inc();
    res.status(201).json({ id: event.id, topic: event.topic });
  };

  return [checkTopicAndMediaType, parseJson, publish];
}

/** application/json or application/<anything>+json, any parameters (req.is() answers null for an empty body). */
function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(mediaType);
}
