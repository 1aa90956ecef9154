import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EnvironmentInjector } from '@angular/core';
import express from 'express';
import pino from 'pino';
import WebSocket from 'ws';
import { createRealtime } from 'ngx-realtime-signals-server';
import {
  ChatService,
  LongPollService,
  NotificationService,
  withBaseUrl,
  withWebSocket,
  type ChatRoom,
  type RealtimeEvent,
} from 'ngx-realtime-signals';
import { seededRandom, startCuttingProxy } from './cutting-proxy';
import { realtimeInjector, waitFor } from './realtime-test-support';

type Note = { n: number };

/**
 * The three services against ngx-realtime-signals-server mounted at `/realtime` of a plain
 * Express app, each through a proxy that keeps cutting its connections. The server is the
 * package's sources in this process, or, with REALTIME_SERVER_URL (e.g.
 * http://127.0.0.1:4000/realtime), an app that installed the packed tarball.
 */
describe('the services against ngx-realtime-signals-server at /realtime', () => {
  let origin: string;
  let path: string;
  let stop: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const external = process.env['REALTIME_SERVER_URL'];
    if (external) {
      const url = new URL(external);
      origin = url.origin;
      path = url.pathname.replace(/\/$/, '');
      return;
    }
    const app = express();
    const realtime = createRealtime({ basePath: '/realtime', publishEndpoint: true, logger: pino({ level: 'silent' }), wsRateLimit: 100_000 });
    app.use(realtime.basePath, realtime.router);
    const server = http.createServer(app);
    realtime.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    path = realtime.basePath;
    stop = async () => {
      await realtime.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
  });
  afterAll(() => stop());

  const topicName = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

  async function publish(topic: string, data: unknown): Promise<string> {
    const response = await fetch(`${origin}${path}/topics/${encodeURIComponent(topic)}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'note', data }),
    });
    if (response.status !== 201) throw new Error(`publish answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { id: string }).id;
  }

  /** An injector whose services reach `${proxyUrl}${path}` (the `/api` of realtimeInjector is replaced by withBaseUrl). */
  function injectorThrough(proxyUrl: string, services: Parameters<typeof realtimeInjector>[1], features: Parameters<typeof realtimeInjector>[4] = []): EnvironmentInjector {
    return realtimeInjector(proxyUrl, services, { initialDelayMs: 20, maxDelayMs: 200 }, [], [withBaseUrl(`${proxyUrl}${path}`), ...features]);
  }

  async function publishMany(topic: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let n = 0; n < count; n++) {
      ids.push(await publish(topic, { n }));
      if (n % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return ids;
  }

  it('NotificationService (SSE) resumes across cut connections with every event once, in order', async () => {
    const proxy = await startCuttingProxy(origin, { minBytes: 300, maxBytes: 2500, random: seededRandom(21) });
    const injector = injectorThrough(proxy.url, [NotificationService]);
    try {
      const topic = topicName('pkg-sse');
      const service = injector.get(NotificationService) as NotificationService<Note>;
      const seen: RealtimeEvent<Note>[] = [];
      service.events$.subscribe((event) => seen.push(event));
      service.connect(topic);
      await waitFor(() => service.cursor() !== null, 'the starting position', 60_000);
      const ids = await publishMany(topic, 100);
      await waitFor(() => seen.length >= ids.length, `${ids.length} events (got ${seen.length}, ${proxy.cuts} cuts)`, 60_000);
      expect(proxy.cuts).toBeGreaterThan(3);
      expect(seen.map((event) => event.id)).toEqual(ids);
      expect(service.gap()).toBeNull();
    } finally {
      injector.destroy();
      await proxy.close();
    }
  }, 90_000);

  it('LongPollService resumes across cut connections with every event once, in order', async () => {
    const proxy = await startCuttingProxy(origin, { minBytes: 300, maxBytes: 4000, random: seededRandom(22) });
    const injector = injectorThrough(proxy.url, [LongPollService]);
    try {
      const topic = topicName('pkg-poll');
      const feed = injector.get(LongPollService).watch<Note>(topic, { timeoutMs: 2000, limit: 5 });
      const seen: RealtimeEvent<Note>[] = [];
      feed.events$.subscribe((event) => seen.push(event));
      await waitFor(() => feed.state() === 'open' && feed.cursor() !== null, 'the feed to open', 60_000);
      const ids = await publishMany(topic, 100);
      await waitFor(() => seen.length >= ids.length, `${ids.length} events (got ${seen.length}, ${proxy.cuts} cuts)`, 60_000);
      expect(proxy.cuts).toBeGreaterThan(3);
      expect(seen.map((event) => event.id)).toEqual(ids);
    } finally {
      injector.destroy();
      await proxy.close();
    }
  }, 90_000);

  it('ChatService resumes across cut connections: every message once, none left pending', async () => {
    const proxy = await startCuttingProxy(origin, { minBytes: 500, maxBytes: 5000, random: seededRandom(23), bothDirections: true });
    const features = [withWebSocket(WebSocket as unknown as typeof globalThis.WebSocket)];
    const injectors = [injectorThrough(proxy.url, [ChatService], features), injectorThrough(proxy.url, [ChatService], features)];
    try {
      const room = topicName('pkg-chat');
      const [ada, bob] = injectors.map((injector) => injector.get(ChatService));
      const rooms: ChatRoom[] = [ada.join(room), bob.join(room)];
      ada.connect({ name: 'ada' });
      bob.connect({ name: 'bob' });
      for (let i = 0; i < 20; i++) {
        rooms[i % 2].send(`m${i}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      proxy.calm();
      const settled = (chatRoom: ChatRoom) => chatRoom.messages().length === 20 && chatRoom.messages().every((message) => message.status === 'sent');
      await waitFor(() => rooms.every(settled), `20 sent messages in both rooms (${proxy.cuts} cuts)`, 60_000);
      expect(proxy.cuts).toBeGreaterThan(0);
      for (const chatRoom of rooms) {
        const texts = chatRoom.messages().map((message) => message.text);
        expect(new Set(texts).size).toBe(20);
        expect([...texts].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
      }
      expect(rooms[0].messages().map((message) => message.id)).toEqual(rooms[1].messages().map((message) => message.id));
    } finally {
      for (const injector of injectors) injector.destroy();
      await proxy.close();
    }
  }, 90_000);
});
