import type { MemoryEventLog } from 'ngx-realtime-signals-server';
import { publishOk, rawRequest, waitFor } from './support/http-client';
import { startServer, type StartedServer } from './support/server';

describe('long poll /api/poll/:topic', () => {
  let started: StartedServer;
  let url: string;
  const memoryLog = (): MemoryEventLog => started.server.log as MemoryEventLog;
  const poll = async (query: string, signal?: AbortSignal) => {
    const res = await fetch(`${url}/api/poll/${query}`, { signal });
    return { status: res.status, body: (await res.json()) as any };
  };
  const health = async () => ((await (await fetch(`${url}/api/health`)).json()) as any).connections;

  beforeAll(async () => {
    started = await startServer({ HISTORY_LIMIT: '1000' });
    url = started.url;
  });
  afterAll(() => started.close());

  it('answers at once with the events after the cursor, up to the limit', async () => {
    const topic = 'paged';
    const { body: start } = await poll(`${topic}?timeout=0`);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await publishOk(url, topic, 'n', i));
    const first = await poll(`${topic}?cursor=${start.cursor}&limit=3&timeout=60000`);
    expect(first.status).toBe(200);
    expect(first.body.events.map((e: { id: string }) => e.id)).toEqual(ids.slice(0, 3));
    expect(first.body.cursor).toBe(ids[2]);
    expect(first.body).not.toHaveProperty('reset');
    expect(first.body.events[0]).toEqual({ id: ids[0], topic, type: 'n', data: 0, ts: expect.any(Number) });
    const second = await poll(`${topic}?cursor=${first.body.cursor}&limit=3&timeout=60000`);
    expect(second.body.events.map((e: { id: string }) => e.id)).toEqual(ids.slice(3));
  });

  it('follows a cursor chain across many polls with events published between them, losing and repeating nothing', async () => {
    const topic = 'chain';
    let cursor: string = (await poll(`${topic}?timeout=0`)).body.cursor;
    const published: string[] = [];
    const received: string[] = [];
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i <= round % 3; i++) published.push(await publishOk(url, topic, 'n', { round, i }));
      const { body } = await poll(`${topic}?cursor=${encodeURIComponent(cursor)}&limit=2&timeout=0`);
      for (const event of body.events) received.push(event.id);
      cursor = body.cursor;
    }
    // Drain what the small limit left behind.
    for (;;) {
      const { body } = await poll(`${topic}?cursor=${encodeURIComponent(cursor)}&limit=2&timeout=0`);
      if (body.events.length === 0) break;
      for (const event of body.events) received.push(event.id);
      cursor = body.cursor;
    }
    expect(received).toEqual(published);
  });

  it('holds a poll until an event is appended, then answers with it', async () => {
    const topic = 'held';
    const { body: start } = await poll(`${topic}?timeout=0`);
    const answer = poll(`${topic}?cursor=${start.cursor}&timeout=60000`);
    await waitFor(async () => (await health()).longPoll === 1, 'the poll to be held');
    const id = await publishOk(url, topic, 'n', 'wake');
    const { body } = await answer;
    expect(body.events.map((e: { id: string }) => e.id)).toEqual([id]);
    expect(body.cursor).toBe(id);
  });

  it('waits from now without a cursor and carries the head cursor in the answer', async () => {
    const topic = 'no-cursor';
    const old = await publishOk(url, topic, 'n', 'old');
    const empty = await poll(`${topic}?cursor=&timeout=0`);
    expect(empty.body).toEqual({ events: [], cursor: old });
    const answer = poll(`${topic}?timeout=60000`);
    await waitFor(async () => memoryLog().listenerCount(topic) === 1, 'the poll to be held');
    const fresh = await publishOk(url, topic, 'n', 'new');
    const { body } = await answer;
    expect(body.events.map((e: { id: string }) => e.id)).toEqual([fresh]);
  });

  it('answers an empty list with the same cursor at the timeout and releases its listener', async () => {
    const topic = 'timeout';
    const { body: start } = await poll(`${topic}?timeout=0`);
    const answer = poll(`${topic}?cursor=${start.cursor}&timeout=1000`);
    await waitFor(async () => (await health()).longPoll === 1, 'the poll to be held');
    const { status, body } = await answer;
    expect(status).toBe(200);
    expect(body).toEqual({ events: [], cursor: start.cursor });
    expect(memoryLog().listenerCount(topic)).toBe(0);
  });

  it('releases a held poll at once when the client aborts', async () => {
    const topic = 'abort';
    const { body: start } = await poll(`${topic}?timeout=0`);
    const controller = new AbortController();
    const pending = poll(`${topic}?cursor=${start.cursor}&timeout=60000`, controller.signal).catch((e: { name: string }) => e);
    await waitFor(async () => memoryLog().listenerCount(topic) === 1 && (await health()).longPoll === 1, 'the poll to be held');
    controller.abort();
    expect(await pending).toMatchObject({ name: 'AbortError' });
    await waitFor(() => memoryLog().listenerCount(topic) === 0, 'the listener to be released');
    await waitFor(async () => (await health()).longPoll === 0, 'health to count no held polls');
    // A later event still reaches a new poll normally.
    const id = await publishOk(url, topic, 'n', 'after');
    const { body } = await poll(`${topic}?cursor=${start.cursor}&timeout=0`);
    expect(body.events.map((e: { id: string }) => e.id)).toEqual([id]);
  });

  it('releases many aborted polls without leaking listeners', async () => {
    const topic = 'abort-many';
    const { body: start } = await poll(`${topic}?timeout=0`);
    const controllers = Array.from({ length: 20 }, () => new AbortController());
    const pending = controllers.map((c) => poll(`${topic}?cursor=${start.cursor}&timeout=60000`, c.signal).catch(() => null));
    // The held polls of a topic share one log subscription.
    await waitFor(async () => (await health()).longPoll === 20 && memoryLog().listenerCount(topic) === 1, '20 held polls');
    for (const c of controllers) c.abort();
    await Promise.all(pending);
    await waitFor(() => memoryLog().listenerCount(topic) === 0, 'every listener to be released');
  });

  it('answers reset with the oldest retained events when the cursor fell out of history', async () => {
    const small = await startServer({ HISTORY_LIMIT: '5' });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push(await publishOk(small.url, 'gap', 'n', i));
      const res = await rawRequest(small.url, { path: `/api/poll/gap?cursor=${ids[1]}&timeout=60000` });
      expect(res.status).toBe(200);
      expect(res.json.reset).toBe(true);
      expect(res.json.events.map((e: { id: string }) => e.id)).toEqual(ids.slice(7));
      expect(res.json.cursor).toBe(ids[11]);
      const next = await rawRequest(small.url, { path: `/api/poll/gap?cursor=${res.json.cursor}&timeout=0` });
      expect(next.json).toEqual({ events: [], cursor: ids[11] });
    } finally {
      await small.close();
    }
  });

  it('treats a well-formed cursor of an earlier process as a gap', async () => {
    const head = (await poll('earlier?timeout=0')).body.cursor as string;
    const foreign = `${head.startsWith('0') ? '1' : '0'}${head.slice(1, 10)}-3`;
    const { status, body } = await poll(`earlier?cursor=${foreign}&timeout=60000`);
    expect(status).toBe(200);
    expect(body).toEqual({ events: [], cursor: head, reset: true });
  });
});
