import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ApiError } from '../errors.js';
import type { RealtimeSettings } from '../options.js';

/**
 * `POST chat/sessions/:connectionId`: one client frame as a JSON body of at most
 * `wsMaxPayloadBytes` (the WebSocket frame limit). The body reaches the chat
 * connection as text, so a bad frame gets the same `error` frame as over WebSocket.
 *
 * @example
 * router.post('/chat/sessions/:connectionId', ...chatFrameHandlers(config, handle));
 */
export function chatFrameHandlers(
  config: Pick<RealtimeSettings, 'wsMaxPayloadBytes'>,
  handle: (req: Request, res: Response) => void | Promise<void>,
): RequestHandler[] {
  const checkMediaType = (req: Request, _res: Response, next: NextFunction): void => {
    const mediaType = req.get('content-type')?.split(';')[0].trim().toLowerCase();
    if (mediaType !== 'application/json') throw new ApiError('unsupported_media_type');
    next();
  };
  const readText = express.text({ type: () => true, limit: config.wsMaxPayloadBytes });
  const toText = (req: Request, _res: Response, next: NextFunction): void => {
    if (typeof req.body !== 'string') req.body = '';
    next();
  };
  return [checkMediaType, readText, toText, handle];
}
