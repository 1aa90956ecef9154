/**
 * @jest-environment node
 */
import { POLL_ABORT_MARGIN_MS, pollOnce, pollUrl } from './poll-transport';
import type { PollRequest } from './realtime-transports';

function request(overrides: Partial<PollRequest> = {}): PollRequest {
  return { url: '/api/poll/t', topic: 't', cursor: 'c1', timeoutMs: 25000, limit: 100, headers: {}, signal: new AbortController().signal, ...overrides };
}

const answer = (status: number, body: unknown) =>
  (async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })) as typeof fetch;

describe('pollOnce', () => {
  afterEach(() => jest.useRealTimers());

  it('puts cursor, timeout and limit in the query, cursor only when present', () => {
    expect(pollUrl(request())).toBe('/api/poll/t?cursor=c1&timeout=25000&limit=100');
    expect(pollUrl(request({ cursor: null, timeoutMs: 0 }))).toBe('/api/poll/t?timeout=0&limit=100');
  });

  it('returns events, cursor and reset from a 200 answer', async () => {
    const events = [{ id: 'c2', topic: 't', type: 'x', data: 1, ts: 5 }];
    await expect(pollOnce(answer(200, { events, cursor: 'c2' }), request())).resolves.toEqual({ events, cursor: 'c2' });
    await expect(pollOnce(answer(200, { events: [], cursor: 'h', reset: true }), request())).resolves.toEqual({
      events: [],
      cursor: 'h',
      reset: true,
    });
  });

  it('rejects with the HTTP error and the server message', async () => {
    await expect(pollOnce(answer(401, { error: { code: 'unauthorized', message: 'token expired' } }), request())).rejects.toEqual({
      code: 'http_error',
      message: 'token expired',
      status: 401,
      serverCode: 'unauthorized',
      retryable: false,
    });
    await expect(pollOnce(answer(503, {}), request())).rejects.toMatchObject({ code: 'http_error', status: 503, retryable: true });
  });

  it('rejects a 401 token_expired answer as a retryable expired token, and other 401 and 403 answers as final', async () => {
    await expect(pollOnce(answer(401, { error: { code: 'token_expired', message: 'The token has expired' } }), request())).rejects.toEqual({
      code: 'token_expired',
      message: 'The token has expired',
      status: 401,
      serverCode: 'token_expired',
      retryable: true,
    });
    await expect(pollOnce(answer(401, { error: { code: 'unauthorized' } }), request())).rejects.toMatchObject({ code: 'http_error', status: 401, retryable: false });
    await expect(pollOnce(answer(403, { error: { code: 'token_expired' } }), request())).rejects.toMatchObject({ code: 'http_error', status: 403, serverCode: 'token_expired', retryable: false });
  });

  it('rejects a malformed answer as a protocol error', async () => {
    await expect(pollOnce(answer(200, { nope: true }), request())).rejects.toMatchObject({ code: 'protocol' });
  });

  it('gives up on its own after the server timeout plus a margin', async () => {
    jest.useFakeTimers();
    let aborted = false;
    const hanging = ((_: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(new DOMException('aborted', 'AbortError'));
        });
      })) as typeof fetch;
    const result = pollOnce(hanging, request({ timeoutMs: 1000 }));
    const settled = expect(result).rejects.toMatchObject({ code: 'network', retryable: true });
    jest.advanceTimersByTime(1000 + POLL_ABORT_MARGIN_MS - 1);
    expect(aborted).toBe(false);
    jest.advanceTimersByTime(1);
    await settled;
    expect(aborted).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('aborts when the caller aborts and leaves no timer behind', async () => {
    jest.useFakeTimers();
    const controller = new AbortController();
    const hanging = ((_: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))))) as typeof fetch;
    const result = pollOnce(hanging, request({ signal: controller.signal }));
    controller.abort();
    await expect(result).rejects.toMatchObject({ code: 'aborted' });
    expect(jest.getTimerCount()).toBe(0);
  });
});
