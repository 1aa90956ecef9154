/**
 * @jest-environment node
 */
// Node's fetch Response/ReadableStream/TextDecoder are the real web-platform classes;
// the input under test is a scripted byte stream, split at awkward places.
import { openSseStream } from './sse-transport';
import type { RealtimeError, RealtimeEvent } from '../types';
import type { StreamRequest } from './realtime-transports';
import type { SseParse } from './sse-parse';

type Chunk = string | number[];

interface Recorded {
  events: RealtimeEvent[];
  resets: string[];
  positions: (string | null)[];
  retries: number[];
  activity: number;
  opened: number;
  closed: RealtimeError | null;
  requests: { url: string; headers: Record<string, string> }[];
}

const encoder = new TextEncoder();
const bytes = (chunk: Chunk) => (typeof chunk === 'string' ? encoder.encode(chunk) : Uint8Array.from(chunk));

function scriptedFetch(chunks: Chunk[], init: { status?: number; contentType?: string | null } = {}, record?: Recorded) {
  return (async (url: string | URL | Request, reqInit?: RequestInit) => {
    record?.requests.push({ url: String(url), headers: { ...(reqInit?.headers as Record<string, string>) } });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(bytes(c));
        controller.close();
      },
    });
    const headers = new Headers();
    const contentType = init.contentType === undefined ? 'text/event-stream' : init.contentType;
    if (contentType !== null) headers.set('content-type', contentType);
    const status = init.status ?? 200;
    return new Response(status === 204 ? null : body, { status, headers });
  }) as typeof fetch;
}

interface RunOptions {
  status?: number;
  contentType?: string | null;
  cursor?: string | null;
  /** Absent: the default reading (protocol, else JSON, else text). */
  parse?: SseParse;
}

function runStream(chunks: Chunk[], options: RunOptions = {}) {
  return run(chunks, options);
}

function run(chunks: Chunk[], options: RunOptions = {}) {
  const record: Recorded = { events: [], resets: [], positions: [], retries: [], activity: 0, opened: 0, closed: null, requests: [] };
  const req: StreamRequest = { url: '/api/events/t', topic: 't', cursor: options.cursor ?? null, headers: { Authorization: 'Bearer x' } };
  if (options.parse) req.parse = options.parse;
  return new Promise<Recorded>((resolve) => {
    openSseStream(scriptedFetch(chunks, options, record), req, {
      opened: () => record.opened++,
      event: (e) => record.events.push(e),
      reset: (c) => record.resets.push(c),
      position: (c) => record.positions.push(c),
      retryHint: (ms) => record.retries.push(ms),
      activity: () => record.activity++,
      closed: (error) => {
        record.closed = error;
        resolve(record);
      },
    });
  });
}

const data = (r: Recorded) => r.events.map((e) => e.data);

/** Splits a string into one-byte chunks: every boundary a parser could trip over. */
const byteByByte = (text: string): Chunk[] => [...encoder.encode(text)].map((b) => [b]);

describe('openSseStream parsing (WHATWG event stream format)', () => {
  // the framing, with data read as text: what a spec-compliant EventSource would report
  const run = (chunks: Chunk[], options: RunOptions = {}) => runStream(chunks, { parse: 'text', ...options });

  it('strips one leading BOM and only once', async () => {
    const r = await run([[0xef, 0xbb, 0xbf], 'data: 1\n\n', [0xef, 0xbb, 0xbf], 'data: 2\n\ndata: 3\n\n']);
    expect(data(r)).toEqual(['1', '3']);
  });

  it('treats a second BOM at the start as part of the first field name', async () => {
    const r = await run([[0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], 'data: 1\n\ndata: 2\n\n']);
    expect(data(r)).toEqual(['2']);
  });

  it('accepts CR, LF and CRLF line endings, also mixed and split across chunks', async () => {
    const r = await run(['data:a\rdata:b\ndata:c\r', '\ndata:d\r\n\r', '\ndata:e\r\r']);
    expect(data(r)).toEqual(['a\nb\nc\nd', 'e']);
  });

  it('reads the same events when fed one byte at a time', async () => {
    const text = 'event: x\r\ndata: héllo €\r\n\r\nid: 7\ndata: two\n\n';
    const r = await run(byteByByte(text));
    expect(r.events.map((e) => [e.type, e.data, e.id])).toEqual([
      ['x', 'héllo €', ''],
      ['message', 'two', '7'],
    ]);
  });

  it('ignores comments but counts them as activity', async () => {
    const r = await run([': ping\n', ':\n', 'data: 1\n: inside an event\ndata: 2\n\n', ': ping\n']);
    expect(data(r)).toEqual(['1\n2']);
    expect(r.activity).toBe(4);
  });

  it('treats a field without a colon as a field with an empty value', async () => {
    const r = await run(['data\n\ndata\ndata\n\ndata:x\n\n']);
    expect(data(r)).toEqual(['', '\n', 'x']);
  });

  it('strips exactly one leading space from a value', async () => {
    const r = await run(['data:x\n\ndata: x\n\ndata:  x\n\n']);
    expect(data(r)).toEqual(['x', 'x', ' x']);
  });

  it('matches field names case-sensitively and ignores unknown fields', async () => {
    const r = await run(['Data: 1\n\nEVENT: shout\ndata: 2\n\nda-ta: 3\ndata_4\nfoo: bar\ndata: 5\n\n']);
    expect(r.events.map((e) => [e.type, e.data])).toEqual([
      ['message', '2'],
      ['message', '5'],
    ]);
  });

  it('ignores an id containing NUL, so that event has no id of its own', async () => {
    const r = await run(['id: 1\ndata: a\n\nid: 2\u0000x\ndata: b\n\n']);
    expect(r.events.map((e) => e.id)).toEqual(['1', '']);
    expect(r.positions).toEqual([]);
  });

  it('clears the last event id on an empty id field', async () => {
    const r = await run(['id: 1\ndata: a\n\nid\ndata: b\n\nid: 3\ndata: c\n\nid:\ndata: d\n\n']);
    expect(r.events.map((e) => e.id)).toEqual(['1', '', '3', '']);
    expect(r.positions).toEqual([null, null]);
  });

  it('gives an event without an id field no id, and keeps the last event id for later frames', async () => {
    const r = await runStream(['id: 1\ndata: a\n\ndata: b\n\nevent: cursor\ndata: {}\n\n'], { cursor: '0' });
    expect(r.events.map((e) => [e.id, e.data])).toEqual([
      ['1', 'a'],
      ['', 'b'],
    ]);
    expect(r.positions).toEqual(['1']);
  });

  it('accepts only ASCII digits in retry', async () => {
    const r = await run(['retry: 1500\nretry: 15a\nretry: -1\nretry: 1.5\nretry:  2000\nretry\nretry: 0700\n\n']);
    expect(r.retries).toEqual([1500, 700]);
  });

  it('never dispatches an unfinished last event', async () => {
    expect(data(await run(['data: 1\n\ndata: 2\n']))).toEqual(['1']);
    expect(data(await run(['data: 1\n\ndata: 2']))).toEqual(['1']);
    expect(data(await run(['data: 1\n\ndata: 2\r']))).toEqual(['1']);
  });

  it('resets the event type after each dispatch', async () => {
    const r = await run(['event: foo\ndata: 1\n\ndata: 2\n\nevent: bar\n\ndata: 3\n\n']);
    expect(r.events.map((e) => e.type)).toEqual(['foo', 'message', 'message']);
  });

  it('does not dispatch a block without data', async () => {
    const r = await run(['id: 9\nevent: foo\n\ndata: 1\n\n']);
    expect(r.events.map((e) => [e.type, e.data])).toEqual([['message', '1']]);
  });

  it('decodes UTF-8 whatever charset the header names, across chunk boundaries', async () => {
    const euro = [...encoder.encode('data: 5 €\n\n')];
    const r = await run([euro.slice(0, 9), euro.slice(9)], { contentType: 'text/event-stream; charset=iso-8859-1' });
    expect(data(r)).toEqual(['5 €']);
  });

  it('replaces invalid UTF-8 with U+FFFD instead of failing', async () => {
    const r = await run([[0x64, 0x61, 0x74, 0x61, 0x3a, 0xff, 0xfe, 0x0a, 0x0a]]);
    expect(data(r)).toEqual(['\uFFFD\uFFFD']);
  });
});

describe('openSseStream events and errors', () => {
  it('unwraps the server JSON envelope into the event', async () => {
    const e = { id: 'k-1', topic: 'news', type: 'post', data: { text: 'hi' }, ts: 123 };
    const r = await run([`retry: 2000\n\nid: k-1\nevent: post\ndata: ${JSON.stringify(e)}\n\n`]);
    expect(r.events).toEqual([e]);
    expect(r.retries).toEqual([2000]);
    expect(r.opened).toBe(1);
  });

  it('reports a reset event as a gap with the head cursor', async () => {
    const r = await run(['id: h-5\nevent: reset\ndata: {"reason":"history_evicted","cursor":"h-5"}\n\n']);
    expect(r.resets).toEqual(['h-5']);
    expect(r.events).toEqual([]);
  });

  it('reports a cursor frame as the starting position, neither an event nor a gap', async () => {
    const r = await run([
      'retry: 1000\n\nid: h-7\nevent: cursor\ndata: {"cursor":"h-7"}\n\n',
      `id: h-8\nevent: note\ndata: ${JSON.stringify({ id: 'h-8', topic: 't', type: 'note', data: 1, ts: 5 })}\n\n`,
    ]);
    expect(r.positions).toEqual(['h-7']);
    expect(r.resets).toEqual([]);
    expect(r.events.map((e) => e.id)).toEqual(['h-8']);
  });

  it('takes the position of a cursor frame from its id when the data carries none', async () => {
    const r = await run(['id: h-3\nevent: cursor\ndata: {}\n\n']);
    expect(r.positions).toEqual(['h-3']);
    expect(r.events).toEqual([]);
  });

  it('parses JSON data of a plain stream and keeps other data as text', async () => {
    const r = await run(['id: 1\ndata: {"text":"hi"}\n\ndata: plain words\n\n']);
    expect(r.events.map((e) => [e.id, e.type, e.data])).toEqual([
      ['1', 'message', { text: 'hi' }],
      ['', 'message', 'plain words'],
    ]);
  });

  it('fails for good on data the parse mode refuses, delivering nothing after it', async () => {
    const r = await run(['id: 1\ndata: {"n":1}\n\nid: 2\ndata: not json\n\nid: 3\ndata: {"n":3}\n\n'], { parse: 'json' });
    expect(r.events.map((e) => e.data)).toEqual([{ n: 1 }]);
    expect(r.closed).toEqual({ code: 'parse_failed', message: `the 'message' event with id '2' is not JSON: "not json"`, retryable: false });
  });

  it('sends Accept, Last-Event-ID and the given headers', async () => {
    const r = await run(['data: 1\n\n'], { cursor: 'c-9' });
    expect(r.requests).toEqual([
      { url: '/api/events/t', headers: { Accept: 'text/event-stream', Authorization: 'Bearer x', 'Last-Event-ID': 'c-9' } },
    ]);
  });

  it('omits Last-Event-ID without a cursor', async () => {
    const r = await run(['data: 1\n\n'], { cursor: null });
    expect(Object.keys(r.requests[0].headers)).not.toContain('Last-Event-ID');
  });

  it('ends with a retryable stream_ended when the server closes the stream', async () => {
    const r = await run(['data: 1\n\n']);
    expect(r.closed).toMatchObject({ code: 'stream_ended', retryable: true });
  });

  it.each([
    [401, false],
    [403, false],
    [204, false],
    [404, false],
    [429, true],
    [500, true],
    [503, true],
  ])('maps HTTP %i to an error with retryable %s', async (status, retryable) => {
    const r = await run(['data: 1\n\n'], { status });
    expect(r.closed).toEqual(expect.objectContaining({ code: 'http_error', status, retryable }));
    expect(r.opened).toBe(0);
  });

  it('maps a 401 token_expired answer to a retryable expired token', async () => {
    const r = await run(['{"error":{"code":"token_expired","message":"The token has expired"}}'], { status: 401, contentType: 'application/json' });
    expect(r.closed).toEqual({ code: 'token_expired', message: 'The token has expired', status: 401, serverCode: 'token_expired', retryable: true });
    expect(r.opened).toBe(0);
  });

  it.each([
    [401, '{"error":{"code":"unauthorized","message":"no"}}'],
    [403, '{"error":{"code":"token_expired"}}'],
    [401, 'not json'],
  ])('keeps HTTP %i with body %s final', async (status, body) => {
    const r = await run([body], { status, contentType: 'application/json' });
    expect(r.closed).toEqual(expect.objectContaining({ code: 'http_error', status, retryable: false }));
  });

  it.each(['text/html', 'application/json', null])('refuses content type %s without retry', async (contentType) => {
    const r = await run(['data: 1\n\n'], { contentType });
    expect(r.closed).toMatchObject({ code: 'bad_content_type', retryable: false });
    expect(r.events).toEqual([]);
  });

  it('reports a fetch failure as a retryable network error', async () => {
    const closed = await new Promise<RealtimeError>((resolve) => {
      const failing = (() => Promise.reject(new TypeError('fetch failed'))) as typeof fetch;
      openSseStream(failing, { url: '/x', topic: 't', cursor: null, headers: {} }, {
        opened: () => undefined, event: () => undefined, reset: () => undefined, position: () => undefined,
        retryHint: () => undefined, activity: () => undefined, closed: resolve,
      });
    });
    expect(closed).toMatchObject({ code: 'network', retryable: true });
  });

  it('stays silent after teardown and aborts the request', async () => {
    let signal: AbortSignal | undefined;
    let push: (text: string) => void = () => undefined;
    const fetchImpl = (async (_url: unknown, init?: RequestInit) => {
      signal = init?.signal ?? undefined;
      const body = new ReadableStream<Uint8Array>({ start: (c) => void (push = (t) => c.enqueue(encoder.encode(t))) });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    }) as typeof fetch;
    const calls: string[] = [];
    let resolveOpened: () => void = () => undefined;
    const opened = new Promise<void>((r) => (resolveOpened = r));
    const stop = openSseStream(fetchImpl, { url: '/x', topic: 't', cursor: null, headers: {} }, {
      opened: () => { calls.push('opened'); resolveOpened(); },
      event: (e) => calls.push(`event ${String(e.data)}`),
      reset: () => calls.push('reset'), position: () => calls.push('position'), retryHint: () => calls.push('retry'),
      activity: () => undefined, closed: (e) => calls.push(`closed ${e.code}`),
    });
    await opened;
    stop();
    push('data: late\n\n');
    await new Promise((r) => setTimeout(r, 10));
    expect(signal?.aborted).toBe(true);
    expect(calls).toEqual(['opened']);
  });
});
