import { createParser } from 'eventsource-parser';
import { httpError, networkError, parseErrorBody, realtimeError, socketClosedError } from '../errors';
import type { RealtimeError } from '../types';
import type { SocketHandle, SocketSink } from './realtime-transports';

/**
 * Chat without WebSocket (docs/PROTOCOL.md, "Chat over HTTP"): `url` is the chat
 * endpoint as http(s) with its query (`name`; the token goes in `headers`). Frames
 * come down `${path}/events` (SSE) or `${path}/poll` (long polls); client frames go
 * up by `POST ${path}/sessions/:connectionId`, one after another.
 *
 * @example
 * ```ts
 * const req: HttpChatRequest = { transport: 'sse', url: 'https://example.com/api/chat?name=ada', headers: {} };
 * ```
 */
export interface HttpChatRequest {
  transport: 'sse' | 'long-poll';
  url: string;
  headers: Record<string, string>;
}

/** The hold time asked of each chat poll. */
export const CHAT_POLL_TIMEOUT_MS = 25_000;
/** A chat poll with no answer this long after its hold time is given up (a proxy that swallowed it). */
const CHAT_POLL_ABORT_MARGIN_MS = 10_000;
const MAX_PENDING_CHARS = 8 * 1024 * 1024;

type Frame = { type: string; [k: string]: unknown };

/**
 * Opens one HTTP chat connection over `fetch` and reports it to `sink` the way a
 * WebSocket would: `opened` once the server answered, `message` per frame, and
 * `closed` exactly once (a `close` frame becomes the close code it carries).
 *
 * @example
 * ```ts
 * const handle = openHttpChat(fetch, { transport: 'long-poll', url: '/api/chat?name=ada', headers: {} }, sink);
 * handle.send({ type: 'join', room: 'lobby' });
 * ```
 */
export function openHttpChat(fetchImpl: typeof fetch, req: HttpChatRequest, sink: SocketSink): SocketHandle {
  const controller = new AbortController();
  const base = new URL(req.url);
  const query = base.search;
  const path = base.pathname.replace(/\/+$/, '');
  const at = (suffix: string, extra = ''): string => `${base.origin}${path}${suffix}${query}${extra ? (query ? '&' : '?') + extra : ''}`;
  let done = false;
  let connectionId: string | null = null;
  let sending: Promise<void> = Promise.resolve();

  const finish = (error: RealtimeError): void => {
    if (done) return;
    done = true;
    controller.abort();
    sink.closed(error);
  };
  const receive = (frame: unknown): void => {
    if (done || typeof frame !== 'object' || frame === null || typeof (frame as Frame).type !== 'string') return;
    const f = frame as Frame;
    if (f.type === 'welcome' && typeof f['connectionId'] === 'string') connectionId = f['connectionId'];
    if (f.type === 'close') {
      finish(socketClosedError(typeof f['code'] === 'number' ? f['code'] : 1006, typeof f['reason'] === 'string' ? f['reason'] : ''));
      return;
    }
    sink.message(f);
  };

  const run = req.transport === 'sse' ? streamFrames : pollFrames;
  run().catch((error: unknown) => {
    if (!done) finish(networkError(error));
  });

  async function failedAnswer(response: Response, what: string): Promise<RealtimeError> {
    const body = parseErrorBody(await response.text().catch(() => ''));
    // The server forgot the connection (it timed out or the server restarted): a new one resumes.
    if (response.status === 404 && connectionId !== null) {
      return realtimeError('socket_closed', `${what}: the chat connection ended on the server.`, true, { status: 404 });
    }
    return httpError(response.status, body.message ?? `${what} answered HTTP ${response.status}`, body.code);
  }

  async function streamFrames(): Promise<void> {
    const response = await fetchImpl(at('/events'), {
      headers: { Accept: 'text/event-stream', ...req.headers },
      signal: controller.signal,
    });
    if (done) return;
    if (response.status !== 200) return finish(await failedAnswer(response, 'The chat stream'));
    const mime = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (mime !== 'text/event-stream' || !response.body) {
      void response.body?.cancel().catch(() => undefined);
      return finish(realtimeError('bad_content_type', `Expected text/event-stream, got "${mime}"`, true));
    }
    sink.opened();
    const parser = createParser({
      onEvent: (message) => {
        try {
          receive(JSON.parse(message.data));
        } catch {
          // a frame that is not JSON is not ours to act on
        }
      },
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') finish(realtimeError('protocol', error.message, true));
      },
      maxBufferSize: MAX_PENDING_CHARS,
    });
    const decoder = new TextDecoder('utf-8');
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done: ended, value } = await reader.read();
        if (done) return;
        if (ended) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } finally {
      reader.releaseLock();
    }
    finish(realtimeError('stream_ended', 'The server ended the chat stream', true));
  }

  async function pollFrames(): Promise<void> {
    let url = at('/poll');
    let opened = false;
    while (!done) {
      const timer = setTimeout(() => controller.abort(), CHAT_POLL_TIMEOUT_MS + CHAT_POLL_ABORT_MARGIN_MS);
      let response: Response;
      try {
        response = await fetchImpl(url, { headers: { Accept: 'application/json', ...req.headers }, signal: controller.signal });
      } finally {
        clearTimeout(timer);
      }
      if (done) return;
      if (response.status !== 200) return finish(await failedAnswer(response, 'The chat poll'));
      const body = (await response.json()) as { frames?: unknown; seq?: unknown };
      if (done) return;
      if (!Array.isArray(body.frames) || typeof body.seq !== 'number') {
        return finish(realtimeError('protocol', 'A chat poll answered without { frames, seq }.', true));
      }
      if (!opened) {
        opened = true;
        sink.opened();
      }
      for (const frame of body.frames) receive(frame);
      if (connectionId === null) return finish(realtimeError('protocol', 'The chat poll did not name its connection.', true));
      url = at('/poll', `connectionId=${encodeURIComponent(connectionId)}&after=${body.seq}&timeout=${CHAT_POLL_TIMEOUT_MS}`);
    }
  }

  return {
    send(frame) {
      if (done || connectionId === null) return;
      const id = connectionId;
      const body = JSON.stringify(frame);
      // One POST at a time, so the server sees the frames in the order they were sent.
      sending = sending.then(async () => {
        if (done) return;
        try {
          const response = await fetchImpl(at(`/sessions/${encodeURIComponent(id)}`), {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...req.headers },
            body,
            signal: controller.signal,
          });
          if (response.status !== 204 && response.status !== 200) finish(await failedAnswer(response, 'A chat POST'));
          else void response.body?.cancel().catch(() => undefined);
        } catch (error) {
          if (!done) finish(networkError(error));
        }
      });
    },
    close() {
      if (done) return;
      done = true;
      controller.abort();
    },
  };
}
