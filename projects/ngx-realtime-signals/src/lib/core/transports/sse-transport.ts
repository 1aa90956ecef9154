import { parseErrorBody, httpError, networkError, realtimeError } from '../errors';
import type { StreamRequest, StreamSink } from './realtime-transports';
import { readSseMessage } from './sse-parse';

/** A stream that buffers more than this many characters without finishing a line/event is broken or hostile. */
const MAX_PENDING_CHARS = 8 * 1024 * 1024;

/**
 * Opens one Server-Sent Events attempt over `fetch` and reports to `sink`.
 *
 * Why fetch and not `EventSource`: headers (auth), our own reconnect policy and
 * status-code handling. Parsing follows the HTML spec ({@link sseLineParser});
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
  const parser = sseLineParser(
    (message) => {
      // a parse failure finishes the stream mid-chunk: the rest of the chunk is not delivered
      if (!isFinished()) toEvent(message);
    },
    (ms) => sink.retryHint(ms),
  );
  const decoder = new TextDecoder('utf-8');
  const reader = response.body.getReader();
  let endsWithCr = false;
  const feed = (text: string) => {
    if (!text) return;
    endsWithCr = text.endsWith('\r');
    if (!parser.feed(text)) finish(realtimeError('protocol', `Buffered data exceeded ${MAX_PENDING_CHARS} characters`, true));
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

/**
 * The event stream format of the HTML spec, line by line: CR, LF and CRLF line endings (also
 * split across chunks; a CR at the very end waits for a possible LF), `data` lines joined with LF,
 * `event`, `id` (ignored when it contains NUL), `retry` (ASCII digits only), comments and unknown
 * fields ignored, and a message dispatched on a blank line only when it had a `data` field. `feed`
 * answers false once more than MAX_PENDING_CHARS wait for a line or a blank line to end them.
 * Our own rather than a library's: it is the largest part of what `NotificationService` costs an app.
 *
 * @example
 * ```ts
 * const parser = sseLineParser((m) => console.log(m.id, m.event, m.data), (ms) => console.log('retry', ms));
 * parser.feed('id: 1\ndata: hi\n\n');
 * ```
 */
export function sseLineParser(
  onMessage: (message: { id?: string; event?: string; data: string }) => void,
  onRetry: (ms: number) => void,
): { feed(text: string): boolean } {
  let rest = '';
  let data: string | null = null;
  let id: string | undefined;
  let event: string | undefined;
  const line = (text: string) => {
    if (text === '') {
      if (data !== null) onMessage({ id, event, data });
      data = null;
      id = event = undefined;
      return;
    }
    const colon = text.indexOf(':');
    if (colon === 0) return;
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? '' : text.slice(text.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
    if (field === 'data') data = data === null ? value : `${data}\n${value}`;
    else if (field === 'event') event = value || undefined;
    else if (field === 'id') id = value.includes('\0') ? id : value;
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry(parseInt(value, 10));
  };
  return {
    feed(text) {
      // a long line arriving in many chunks is only appended to, not searched again and again
      if (!rest.endsWith('\r') && !/[\r\n]/.test(text)) {
        rest += text;
        return rest.length + (data?.length ?? 0) <= MAX_PENDING_CHARS;
      }
      const chunk = rest + text;
      let start = 0;
      let cr = chunk.indexOf('\r');
      let lf = chunk.indexOf('\n');
      for (;;) {
        // each search resumes past the last line end (and -1 stays -1), so a chunk is scanned once
        if (cr !== -1 && cr < start) cr = chunk.indexOf('\r', start);
        if (lf !== -1 && lf < start) lf = chunk.indexOf('\n', start);
        const end = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
        // no line end yet, or a CR that may be the first half of a CRLF
        if (end < 0 || (end === cr && end === chunk.length - 1)) break;
        line(chunk.slice(start, end));
        start = end + (end === cr && chunk.charCodeAt(end + 1) === 10 ? 2 : 1);
      }
      rest = chunk.slice(start);
      return rest.length + (data?.length ?? 0) <= MAX_PENDING_CHARS;
    },
  };
}
