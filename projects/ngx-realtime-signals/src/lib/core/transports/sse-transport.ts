import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { parseErrorBody, httpError, networkError, realtimeError } from '../errors';
import type { RealtimeEvent } from '../types';
import type { StreamRequest, StreamSink } from './realtime-transports';

/** A stream that buffers more than this many characters without finishing a line/event is broken or hostile. */
const MAX_PENDING_CHARS = 8 * 1024 * 1024;

/**
 * Opens one Server-Sent Events attempt over `fetch` and reports to `sink`.
 *
 * Why fetch and not `EventSource`: headers (auth), our own reconnect policy and
 * status-code handling. Parsing follows the HTML spec through `eventsource-parser`;
 * bytes are decoded as UTF-8 whatever the charset says (the decoder strips one
 * leading BOM), and an event not terminated by a blank line before the stream
 * ends is never dispatched.
 *
 * Returns the teardown: it aborts the request and silences the sink.
 *
 * @example
 * ```ts
 * const stop = openSseStream(fetch, { url: '/api/events/news', topic: 'news', cursor: null, headers: {} }, sink);
 * stop();
 * ```
 */
export function openSseStream(fetchImpl: typeof fetch, req: StreamRequest, sink: StreamSink): () => void {
  const controller = new AbortController();
  let finished = false;
  const finish = (error: Parameters<StreamSink['closed']>[0]) => {
    if (finished) return;
    finished = true;
    controller.abort();
    sink.closed(error);
  };

  run(fetchImpl, req, sink, controller.signal, () => finished, finish).catch((err: unknown) => finish(networkError(err)));

  return () => {
    finished = true;
    controller.abort();
  };
}

async function run(
  fetchImpl: typeof fetch,
  req: StreamRequest,
  sink: StreamSink,
  signal: AbortSignal,
  isFinished: () => boolean,
  finish: (error: Parameters<StreamSink['closed']>[0]) => void,
): Promise<void> {
  const headers: Record<string, string> = { Accept: 'text/event-stream', ...req.headers };
  if (req.cursor) headers['Last-Event-ID'] = req.cursor;

  let response: Response;
  try {
    response = await fetchImpl(req.url, { headers, signal });
  } catch (err) {
    if (!isFinished()) finish(networkError(err));
    return;
  }
  if (isFinished()) return void response.body?.cancel().catch(() => undefined);

  if (response.status !== 200) {
    const fallback = `The stream answered HTTP ${response.status}`;
    if (response.status !== 401) {
      void response.body?.cancel().catch(() => undefined);
      return finish(httpError(response.status, fallback));
    }
    // only the body tells an expired token (worth one retry with a fresh one) from a refused one
    const body = parseErrorBody(await response.text().catch(() => ''));
    if (isFinished()) return;
    return finish(httpError(401, body.message ?? fallback, body.code));
  }
  const mime = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (mime !== 'text/event-stream' || !response.body) {
    void response.body?.cancel().catch(() => undefined);
    return finish(realtimeError('bad_content_type', `Expected text/event-stream, got "${mime}"`, false));
  }

  sink.opened();
  const toEvent = eventMapper(req, sink);
  const parser = createParser({
    onEvent: toEvent,
    onRetry: (ms) => sink.retryHint(ms),
    onError: (err) => {
      if (err.type === 'max-buffer-size-exceeded') finish(realtimeError('protocol', err.message, true));
    },
    maxBufferSize: MAX_PENDING_CHARS,
  });
  const decoder = new TextDecoder('utf-8');
  const reader = response.body.getReader();
  let endsWithCr = false;
  const feed = (text: string) => {
    if (!text) return;
    endsWithCr = text.endsWith('\r');
    parser.feed(text);
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (isFinished()) return;
      if (done) break;
      sink.activity();
      feed(decoder.decode(value, { stream: true }));
      if (isFinished()) return;
    }
    feed(decoder.decode());
    // A final CR is a complete line ending, but the parser waits for a possible LF;
    // an LF turns it into CRLF, the same single line ending, so nothing is invented.
    if (endsWithCr) parser.feed('\n');
  } catch (err) {
    if (!isFinished()) finish(networkError(err));
    return;
  } finally {
    reader.releaseLock();
  }
  finish(realtimeError('stream_ended', 'The server ended the stream', true));
}

/**
 * Turns SSE messages into events. The demo-server sends the whole event as JSON
 * in `data`; anything else (a generic SSE endpoint) becomes an event whose
 * `data` is the raw string, `type` the SSE event name (`message` by default)
 * and `id` the last event id, as `EventSource` would report it. The reserved
 * types `reset` (a gap) and `cursor` (the starting position) are not events.
 */
function eventMapper(req: StreamRequest, sink: StreamSink): (message: EventSourceMessage) => void {
  let lastEventId = req.cursor ?? '';
  return (message) => {
    if (message.id !== undefined) lastEventId = message.id;
    const type = message.event ?? 'message';
    if (type === 'reset') {
      sink.reset(frameCursor(message.data) ?? lastEventId);
      return;
    }
    if (type === 'cursor') {
      // a stream opened "from now" learns where now is, so a drop before the first event loses nothing
      const cursor = frameCursor(message.data) ?? lastEventId;
      if (cursor) sink.position(cursor);
      return;
    }
    sink.event(envelope(message.data, req.topic) ?? { id: lastEventId, topic: req.topic, type, data: message.data, ts: Date.now() });
  };
}

function envelope(data: string, topic: string): RealtimeEvent | null {
  const parsed = parseJson(data);
  if (!isRecord(parsed) || typeof parsed['id'] !== 'string' || typeof parsed['type'] !== 'string' || !('data' in parsed)) {
    return null;
  }
  return {
    id: parsed['id'],
    topic: typeof parsed['topic'] === 'string' ? parsed['topic'] : topic,
    type: parsed['type'],
    data: parsed['data'],
    ts: typeof parsed['ts'] === 'number' ? parsed['ts'] : Date.now(),
  };
}

function frameCursor(data: string): string | null {
  const parsed = parseJson(data);
  return isRecord(parsed) && typeof parsed['cursor'] === 'string' && parsed['cursor'] !== '' ? parsed['cursor'] : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
