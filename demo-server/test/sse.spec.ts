import type { Socket } from 'node:net';
import { EventSource } from 'eventsource';
import type { MemoryEventLog } from 'ngx-realtime-signals-server';
import { publishOk, waitFor } from './support/http-client';
import { startServer, type StartedServer } from './support/server';
import { openSse, payload, type SseReader } from './support/sse-reader';

describe('SSE /api/events/:topic', () => {
  let started: StartedServer;
  let url: string;
  const readers: SseReader[] = [];
  const sources: EventSource[] = [];
  const memoryLog = (): MemoryEventLog => started.server.log as MemoryEventLog;

  // Sockets of the shared server, so a test can cut every connection as a network failure would.
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    started = await startServer({ SSE_RETRY_MS: '50', HISTORY_LIMIT: '1000' });
    url = started.url;
    started.server.http.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  });
  afterEach(() => {
    for (const reader of readers.splice(0)) reader.close();
    for (const source of sources.splice(0)) source.close();
  });
  afterAll(() => started.close());

  async function open(path: string, headers?: Record<string, string>): Promise<SseReader> {
    const reader = await openSse(url, path, { headers });
    readers.push(reader);
    return reader;
  }

  it('answers with the event-stream headers and a retry line first', async () => {
    const reader = await open('/api/events/headers');
    expect(reader.status).toBe(200);
    expect(reader.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(reader.headers['cache-control']).toBe('no-cache, no-transform');
    expect(reader.headers['x-accel-buffering']).toBe('no');
    expect(reader.headers['connection']).toBe('keep-alive');
    await waitFor(() => reader.raw.length > 0, 'the first bytes');
    expect(reader.raw.startsWith('retry: 50\n\n')).toBe(true);
  });

  it('delivers every event published after the headers, in order, as id/event/data of the whole event', async () => {
    const reader = await open('/api/events/ordered');
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(await publishOk(url, 'ordered', 'tick', { i }));
    await waitFor(() => reader.events.length === 50, '50 events');
    expect(reader.events.map((e) => e.id)).toEqual(ids);
    expect(reader.events.every((e) => e.event === 'tick')).toBe(true);
    const first = payload(reader.events[0]);
    expect(first).toEqual({ id: ids[0], topic: 'ordered', type: 'tick', data: { i: 0 }, ts: expect.any(Number) });
    expect(reader.events.map((e) => payload(e).data.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('starts at the head when no Last-Event-ID is given', async () => {
    await publishOk(url, 'head-start', 'old', 1);
    const reader = await open('/api/events/head-start');
    const fresh = await publishOk(url, 'head-start', 'new', 2);
    await waitFor(() => reader.events.length === 1, 'the new event');
    expect(reader.events[0].id).toBe(fresh);
  });

  it('gives a reader without a resume id its starting position as a cursor notice', async () => {
    const old = await publishOk(url, 'position', 'old', 1);
    const reader = await open('/api/events/position');
    await waitFor(() => reader.positions.length === 1, 'the cursor notice');
    expect(reader.positions).toEqual([old]);
    expect(reader.raw).toContain(`id: ${old}\nevent: cursor\ndata: {"cursor":"${old}"}\n\n`);
    const resumed = await open('/api/events/position', { 'last-event-id': old });
    const fresh = await publishOk(url, 'position', 'new', 2);
    await waitFor(() => resumed.events.length === 1, 'the new event on the resumed stream');
    expect(resumed.positions).toEqual([]);
    expect(resumed.events[0].id).toBe(fresh);
  });

  it('loses nothing when a reader drops before its first event and resumes from its cursor notice', async () => {
    const first = await open('/api/events/early-drop');
    await waitFor(() => first.positions.length === 1, 'the cursor notice');
    first.close();
    const missed = [await publishOk(url, 'early-drop', 'n', 1), await publishOk(url, 'early-drop', 'n', 2)];
    const again = await open('/api/events/early-drop', { 'last-event-id': first.positions[0] });
    await waitFor(() => again.events.length === 2, 'the events published while away');
    expect(again.events.map((e) => e.id)).toEqual(missed);
  });

  it('keeps topics apart', async () => {
    const reader = await open('/api/events/apart-a');
    await publishOk(url, 'apart-b', 'x', 'b');
    const a = await publishOk(url, 'apart-a', 'x', 'a');
    await waitFor(() => reader.events.length >= 1, 'the event of topic a');
    expect(reader.events.map((e) => e.id)).toEqual([a]);
  });

  it('resumes from the Last-Event-ID header after a dropped connection, losing and repeating nothing', async () => {
    const topic = 'resume-header';
    const seen: string[] = [];
    const requestIds: (string | null)[] = [];
    let gate: Promise<void> = Promise.resolve();
    let openGate!: () => void;
    const source = new EventSource(`${url}/api/events/${topic}`, {
      fetch: async (input, init) => {
        requestIds.push(new Headers(init?.headers).get('last-event-id'));
        await gate;
        return fetch(input, init);
      },
    });
    sources.push(source);
    source.addEventListener('note', (e) => seen.push((e as MessageEvent).lastEventId));
    await new Promise((resolve) => source.addEventListener('open', resolve, { once: true }));
    const before = [await publishOk(url, topic, 'note', 1), await publishOk(url, topic, 'note', 2)];
    await waitFor(() => seen.length === 2, 'the first two events');

    // Hold the reconnect until events were published while the client was away.
    gate = new Promise((resolve) => (openGate = resolve));
    const dropped = new Promise((resolve) => source.addEventListener('error', resolve, { once: true }));
    for (const socket of sockets) socket.destroy();
    await dropped;
    const during = [await publishOk(url, topic, 'note', 3), await publishOk(url, topic, 'note', 4)];
    openGate();
    await waitFor(() => seen.length === 4, 'the events published while disconnected');
    const after = await publishOk(url, topic, 'note', 5);
    await waitFor(() => seen.length === 5, 'a live event after the resume');

    expect(seen).toEqual([...before, ...during, after]);
    expect(requestIds).toEqual([null, before[1]]);
    const reconnects = await (await fetch(`${url}/metrics`)).text();
    expect(reconnects).toMatch(/realtime_reconnects_total\{transport="sse"\} [1-9]/);
  });

  it('resumes from ?lastEventId= when a new client starts from a saved id', async () => {
    const topic = 'resume-query';
    const first = new EventSource(`${url}/api/events/${topic}`);
    sources.push(first);
    const seen: string[] = [];
    first.addEventListener('note', (e) => seen.push((e as MessageEvent).lastEventId));
    await new Promise((resolve) => first.addEventListener('open', resolve, { once: true }));
    const before = [await publishOk(url, topic, 'note', 1), await publishOk(url, topic, 'note', 2)];
    await waitFor(() => seen.length === 2, 'the first two events');
    first.close();
    await waitFor(() => memoryLog().listenerCount(topic) === 0, 'the server to let go of the first stream');

    const during = [await publishOk(url, topic, 'note', 3), await publishOk(url, topic, 'note', 4)];
    const second = new EventSource(`${url}/api/events/${topic}?lastEventId=${encodeURIComponent(seen[seen.length - 1])}`);
    sources.push(second);
    second.addEventListener('note', (e) => seen.push((e as MessageEvent).lastEventId));
    await waitFor(() => seen.length === 4, 'the events published while no client was connected');
    const after = await publishOk(url, topic, 'note', 5);
    await waitFor(() => seen.length === 5, 'a live event');
    expect(seen).toEqual([...before, ...during, after]);
  });

  it('lets the Last-Event-ID header win over the query and treats an empty header as absent', async () => {
    const topic = 'header-wins';
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await publishOk(url, topic, 'n', i));
    const byHeader = await open(`/api/events/${topic}?lastEventId=${ids[0]}`, { 'last-event-id': ids[2] });
    await waitFor(() => byHeader.events.length === 1, 'the backlog after the header id');
    expect(byHeader.events.map((e) => e.id)).toEqual([ids[3]]);

    const emptyHeader = await open(`/api/events/${topic}?lastEventId=${ids[1]}`, { 'last-event-id': '' });
    await waitFor(() => emptyHeader.events.length === 2, 'the backlog after the query id');
    expect(emptyHeader.events.map((e) => e.id)).toEqual([ids[2], ids[3]]);

    const emptyBoth = await open(`/api/events/${topic}?lastEventId=`, { 'last-event-id': '' });
    const live = await publishOk(url, topic, 'n', 4);
    await waitFor(() => emptyBoth.events.length === 1, 'only the live event');
    expect(emptyBoth.events.map((e) => e.id)).toEqual([live]);
  });

  it('sends a heartbeat comment', async () => {
    const fast = await startServer({ SSE_HEARTBEAT_MS: '30' });
    try {
      const reader = await openSse(fast.url, '/api/events/quiet');
      readers.push(reader);
      await waitFor(() => reader.comments.length >= 2, 'two ping comments');
      expect(reader.comments.every((c) => c.trim() === 'ping')).toBe(true);
      expect(reader.events).toEqual([]);
    } finally {
      await fast.close();
    }
  });

  it('unsubscribes from the log when the client goes away', async () => {
    const reader = await open('/api/events/leaving');
    expect(memoryLog().listenerCount('leaving')).toBe(1);
    reader.close();
    await waitFor(() => memoryLog().listenerCount('leaving') === 0, 'the subscription to end');
    await waitFor(async () => ((await (await fetch(`${url}/api/health`)).json()) as any).connections.sse === 0, 'health to show 0 streams');
  });

});

describe('SSE gap handling', () => {
  it('sends reset with the id before the oldest retained event, then the retained and live events', async () => {
    const started = await startServer({ HISTORY_LIMIT: '5' });
    try {
      const topic = 'gappy';
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push(await publishOk(started.url, topic, 'n', i));
      // Retained: ids[15..19]; ids[14] is the newest event gone, the position the reader is moved to.
      const reader = await openSse(started.url, `/api/events/${topic}`, { headers: { 'last-event-id': ids[2] } });
      try {
        await waitFor(() => reader.events.length === 6, 'the reset and the retained events');
        const live = await publishOk(started.url, topic, 'n', 20);
        await waitFor(() => reader.events.length === 7, 'the live event after the reset');
        expect(reader.events[0]).toEqual({
          id: ids[14],
          event: 'reset',
          data: JSON.stringify({ reason: 'history_evicted', cursor: ids[14] }),
        });
        expect(reader.events.slice(1).map((e) => e.id)).toEqual([...ids.slice(15), live]);
        expect(reader.raw).toContain(`id: ${ids[14]}\nevent: reset\ndata: {"reason":"history_evicted","cursor":"${ids[14]}"}\n\n`);
      } finally {
        reader.close();
      }
    } finally {
      await started.close();
    }
  });

  it('delivers every event of a restarted server to a reader that comes back with an old id', async () => {
    const before = await startServer();
    const oldId = await publishOk(before.url, 'restart', 'n', 'before');
    await before.close();
    const after = await startServer();
    try {
      const missed = [await publishOk(after.url, 'restart', 'n', 1), await publishOk(after.url, 'restart', 'n', 2)];
      const reader = await openSse(after.url, '/api/events/restart', { headers: { 'last-event-id': oldId } });
      try {
        await waitFor(() => reader.events.length === 3, 'the reset and the two events published since the restart');
        expect(reader.events[0].event).toBe('reset');
        expect(reader.events.slice(1).map((e) => e.id)).toEqual(missed);
      } finally {
        reader.close();
      }
    } finally {
      await after.close();
    }
  });

  it('resumes without a reset when the cursor is still inside the history', async () => {
    const started = await startServer({ HISTORY_LIMIT: '5' });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push(await publishOk(started.url, 'inside', 'n', i));
      const reader = await openSse(started.url, `/api/events/inside?lastEventId=${ids[4]}`);
      try {
        await waitFor(() => reader.events.length === 3, 'the three newer events');
        expect(reader.events.map((e) => e.id)).toEqual(ids.slice(5));
      } finally {
        reader.close();
      }
    } finally {
      await started.close();
    }
  });
});
