import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EnvironmentInjector } from '@angular/core';
import { createEventBuffer, createSession, type Session } from 'better-sse';
import { NotificationService, withEndpoints, type RealtimeEvent, type StreamOptions } from 'ngx-realtime-signals';
import { seededRandom, startCuttingProxy } from '../integration/cutting-proxy';
import { startPausableProxy } from '../integration/pausable-proxy';
import { realtimeInjector, waitFor } from '../integration/realtime-test-support';

type Order = { orderId: number; text: string };

/**
 * A backend that knows nothing of this library: plain Node http, its SSE framing done by
 * the better-sse package, `/stream/<topic>`, JSON data with no envelope, and optionally
 * ids. With ids it keeps a history and, as SSE servers commonly do, resumes a client
 * after its `Last-Event-ID` (a client without one gets the whole history).
 */
interface ThirdPartyServer {
  readonly url: string;
  /** The `Last-Event-ID` of every connection, in order ('' when absent). */
  readonly lastEventIds: readonly string[];
  publish(data: Order): string | null;
  close(): Promise<void>;
}

async function startThirdPartyServer(options: { ids: boolean; heartbeat: boolean }): Promise<ThirdPartyServer> {
  const history: { id: string; data: Order }[] = [];
  const live = new Set<Session>();
  const lastEventIds: string[] = [];
  const send = (session: Session, entry: { id: string; data: Order }) => {
    if (options.ids) session.push(entry.data, 'message', entry.id);
    // push() always writes an id (a random one when none is given); a buffer writes only the fields asked for
    else void session.batch(createEventBuffer().event('message').data(entry.data).dispatch());
  };
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/stream/orders') return void res.writeHead(404).end();
    // resolves once connected: the headers are out, so every event published after the client sees them reaches it
    void createSession(req, res, { retry: 50, keepAlive: options.heartbeat ? 1000 : null }).then((session) => {
      lastEventIds.push(session.lastId);
      if (options.ids) {
        const after = history.findIndex((e) => e.id === session.lastId);
        for (const entry of history.slice(after + 1)) send(session, entry);
      }
      if (!session.isConnected) return;
      live.add(session);
      session.once('disconnected', () => live.delete(session));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let next = 0;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    lastEventIds,
    publish(data) {
      const entry = { id: `order-${++next}`, data };
      if (options.ids) history.push(entry);
      for (const session of live) send(session, entry);
      return options.ids ? entry.id : null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const injectors: EnvironmentInjector[] = [];

/** NotificationService of `orders`, its stream mapped by withEndpoints to `${origin}/stream/<topic>`. */
function connectOrders(origin: string, stream: StreamOptions = {}) {
  const endpoints = withEndpoints({ events: { url: (topic) => `${origin}/stream/${topic}`, ...stream } });
  const injector = realtimeInjector('http://127.0.0.1:9', [NotificationService], undefined, [], [endpoints]);
  injectors.push(injector);
  const service = injector.get(NotificationService) as NotificationService<Order>;
  const seen: RealtimeEvent<Order>[] = [];
  service.events$.subscribe((e) => seen.push(e));
  service.connect('orders');
  return { service, seen };
}

const order = (n: number): Order => ({ orderId: n, text: `order ${n}` });

afterEach(() => {
  for (const injector of injectors.splice(0)) injector.destroy();
});

describe('NotificationService against a third-party SSE server with ids', () => {
  let server: ThirdPartyServer;
  beforeEach(async () => {
    server = await startThirdPartyServer({ ids: true, heartbeat: true });
  });
  afterEach(() => server.close());

  it('receives its events with their ids and JSON data parsed', async () => {
    const { service, seen } = connectOrders(server.url);
    await waitFor(() => service.state() === 'open', 'the stream to open');
    const ids = [1, 2, 3].map((n) => server.publish(order(n)));
    await waitFor(() => seen.length === 3, '3 events');
    expect(seen.map((e) => [e.id, e.topic, e.type, e.data])).toEqual([1, 2, 3].map((n, i) => [ids[i], 'orders', 'message', order(n)]));
    expect(service.notifications()[0].data.text).toBe('order 3');
    expect(service.cursor()).toBe(ids[2]);
  });

  it('resumes after a cut with Last-Event-ID, missing nothing sent meanwhile and repeating nothing', async () => {
    const proxy = await startPausableProxy(server.url);
    try {
      const { service, seen } = connectOrders(proxy.url);
      await waitFor(() => service.state() === 'open', 'the stream to open');
      for (let n = 1; n <= 3; n++) server.publish(order(n));
      await waitFor(() => seen.length === 3, 'the first 3 events');

      proxy.pause();
      await waitFor(() => service.state() !== 'open', 'the client to notice the cut');
      for (let n = 4; n <= 6; n++) server.publish(order(n));
      proxy.resume();

      await waitFor(() => seen.length >= 6, 'the events sent while cut off');
      server.publish(order(7));
      await waitFor(() => seen.length >= 7, 'the next live event');
      expect(seen.map((e) => e.data.orderId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(server.lastEventIds.at(-1)).toBe('order-3');
      expect(service.gap()).toBeNull();
    } finally {
      await proxy.close();
    }
  });

  it('delivers every event exactly once and in order through a proxy that keeps cutting the connection', async () => {
    const proxy = await startCuttingProxy(server.url, { minBytes: 200, maxBytes: 1500, random: seededRandom(11) });
    try {
      const { service, seen } = connectOrders(proxy.url);
      const ids: string[] = [];
      for (let n = 1; n <= 120; n++) {
        ids.push(server.publish(order(n)) as string);
        if (n % 10 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await waitFor(() => seen.length >= ids.length, `${ids.length} events`, 60000).catch((err: Error) => {
        throw new Error(`${err.message}: got ${seen.length}, state ${service.state()}, ${proxy.cuts} cuts`);
      });
      expect(proxy.cuts).toBeGreaterThan(5);
      expect(seen.map((e) => e.id)).toEqual(ids);
      // the cuts were healed by resuming, not by replaying everything: reconnections named where they were
      const resumed = server.lastEventIds.filter((id) => id !== '');
      expect(resumed.length).toBeGreaterThan(3);
      expect(resumed.every((id) => ids.includes(id))).toBe(true);
    } finally {
      await proxy.close();
    }
  }, 90000);
});

describe('NotificationService against a third-party SSE server without ids or heartbeat', () => {
  let server: ThirdPartyServer;
  beforeEach(async () => {
    server = await startThirdPartyServer({ ids: false, heartbeat: false });
  });
  afterEach(() => server.close());

  it('receives its events with JSON data parsed and a distinct local id each', async () => {
    const { service, seen } = connectOrders(server.url, { heartbeatMs: 0 });
    await waitFor(() => service.state() === 'open', 'the stream to open');
    for (let n = 1; n <= 5; n++) server.publish(order(n));
    await waitFor(() => seen.length === 5, '5 events');
    expect(seen.map((e) => e.data)).toEqual([1, 2, 3, 4, 5].map(order));
    expect(new Set(service.notifications().map((n) => n.id)).size).toBe(5);
    expect(seen.every((e) => /^local:\d+$/.test(e.id))).toBe(true);
    expect(service.cursor()).toBeNull();
  });

  it('reconnects after a cut from now, without Last-Event-ID: what was sent meanwhile is lost', async () => {
    const proxy = await startPausableProxy(server.url);
    try {
      const { service, seen } = connectOrders(proxy.url, { heartbeatMs: 0 });
      await waitFor(() => service.state() === 'open', 'the stream to open');
      server.publish(order(1));
      await waitFor(() => seen.length === 1, 'the first event');

      proxy.pause();
      await waitFor(() => service.state() !== 'open', 'the client to notice the cut');
      server.publish(order(2));
      proxy.resume();
      await waitFor(() => service.state() === 'open' && server.lastEventIds.length === 2, 'the stream to reopen');
      server.publish(order(3));
      await waitFor(() => seen.length === 2, 'the next live event');

      expect(seen.map((e) => e.data.orderId)).toEqual([1, 3]);
      expect(server.lastEventIds).toEqual(['', '']);
      expect(new Set(seen.map((e) => e.id)).size).toBe(2);
    } finally {
      await proxy.close();
    }
  });
});
