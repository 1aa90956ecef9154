import { createParser } from 'eventsource-parser';
import { parseErrorBody, httpError, networkError, realtimeError } from '../errors';
import type { StreamRequest, StreamSink } from './realtime-transports';
import { readSseMessage } from './sse-parse';

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
  const toEvent = sseMessageReader(req, sink, (message) => finish(realtimeError('parse_failed', message, false)));
  const parser = createParser({
    onEvent: (message) => {
      // a parse failure finishes the stream mid-chunk: the rest of the chunk is not delivered
      if (!isFinished()) toEvent(message);
    },
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
 * Turns the SSE messages of one attempt into what the sink hears, reading `data`
 * with `req.parse` (see {@link SseParse}); `fail` gets the reason of a message the
 * parse mode refused. A message without an `id:` keeps the stream's last event id
 * (the cursor to resume from), as `EventSource` does, but its event gets `id: ''`:
 * it has no identity of its own. An empty `id:` field clears the last event id
 * (`position(null)`), so the next attempt starts from now. The testing entry point
 * plays raw messages through the same reader.
 *
 * @example
 * ```ts
 * const read = sseMessageReader(req, sink, (reason) => sink.closed(realtimeError('parse_failed', reason, false)));
 * read({ id: '7', event: 'order', data: '{"orderId":7}' });
 * ```
 */
export function sseMessageReader(
  req: StreamRequest,
  sink: StreamSink,
  fail: (message: string) => void,
): (message: { readonly id?: string; readonly event?: string; readonly data: string }) => void {
  let lastEventId = req.cursor ?? '';
  return (message) => {
    if (message.id !== undefined) {
      lastEventId = message.id;
      if (message.id === '') sink.position(null);
    }
    const frame = readSseMessage({ id: message.id, event: message.event ?? 'message', data: message.data }, req.topic, lastEventId, req.parse);
    if (frame === null) return;
    switch (frame.kind) {
      case 'event':
        return sink.event(frame.event);
      case 'reset':
        return sink.reset(frame.cursor);
      case 'position':
        // a stream opened "from now" learns where now is, so a drop before the first event loses nothing
        return sink.position(frame.cursor);
      case 'invalid':
        return fail(frame.message);
    }
  };
}
