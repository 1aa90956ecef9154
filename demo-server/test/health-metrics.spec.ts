import WebSocket from 'ws';
import { publishOk, rawRequest, waitFor } from './support/http-client';
import { startServer, type StartedServer } from './support/server';
import { openSse } from './support/sse-reader';

describe('/api/health and /metrics', () => {
  let started: StartedServer;
  beforeAll(async () => {
    started = await startServer();
  });
  afterAll(() => started.close());

  const health = async () => (await rawRequest(started.url, { path: '/api/health' })).json;
  const metric = async (line: RegExp): Promise<number> => {
    const text = (await rawRequest(started.url, { path: '/metrics' })).text;
    const match = line.exec(text);
    if (!match) throw new Error(`metric ${line} missing`);
    return Number(match[1]);
  };

  it('reports status, uptime, the log kind and zero connections when idle', async () => {
    expect(await health()).toEqual({
      status: 'ok',
      uptimeS: expect.any(Number),
      connections: { sse: 0, longPoll: 0, websocket: 0 },
      log: 'memory',
    });
  });

  it('reflects open SSE streams and held polls, and forgets them when they end', async () => {
    const a = await openSse(started.url, '/api/events/h');
    const b = await openSse(started.url, '/api/events/h');
    const controller = new AbortController();
    const held = rawRequest(started.url, { path: '/api/poll/h?timeout=60000', signal: controller.signal }).catch(() => null);
    await waitFor(async () => (await health()).connections.longPoll === 1, 'the held poll');
    expect((await health()).connections).toEqual({ sse: 2, longPoll: 1, websocket: 0 });
    expect(await metric(/^realtime_connections\{transport="sse"\} (\d+)/m)).toBe(2);
    expect(await metric(/^realtime_connections\{transport="long_poll"\} (\d+)/m)).toBe(1);

    a.close();
    b.close();
    controller.abort();
    await held;
    await waitFor(async () => {
      const c = (await health()).connections;
      return c.sse === 0 && c.longPoll === 0;
    }, 'the connections to close');
    expect(await metric(/^realtime_connections\{transport="sse"\} (\d+)/m)).toBe(0);
  });

  it('counts open chat sockets', async () => {
    const socket = new WebSocket(`${started.url.replace('http', 'ws')}/api/chat?name=erin`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    await waitFor(async () => (await health()).connections.websocket === 1, 'the socket to be counted');
    expect(await metric(/^realtime_connections\{transport="websocket"\} (\d+)/m)).toBe(1);
    socket.close();
    await waitFor(async () => (await health()).connections.websocket === 0, 'the socket to be forgotten');
  });

  it('counts published and delivered events in Prometheus text', async () => {
    const before = await metric(/^realtime_events_published_total (\d+)/m);
    const deliveredBefore = await metric(/^realtime_events_delivered_total\{transport="sse"\} (\d+)/m);
    const reader = await openSse(started.url, '/api/events/counted');
    try {
      await publishOk(started.url, 'counted', 'x', 1);
      await publishOk(started.url, 'counted', 'x', 2);
      await waitFor(() => reader.events.length === 2, 'both events');
      expect(await metric(/^realtime_events_published_total (\d+)/m)).toBe(before + 2);
      expect(await metric(/^realtime_events_delivered_total\{transport="sse"\} (\d+)/m)).toBe(deliveredBefore + 2);
      const res = await rawRequest(started.url, { path: '/metrics' });
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toMatch(/^process_cpu_user_seconds_total /m);
    } finally {
      reader.close();
    }
  });
});
