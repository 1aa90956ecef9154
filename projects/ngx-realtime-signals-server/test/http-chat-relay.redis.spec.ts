import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { openChat, type Target } from '../src/conformance/clients';
import { createRealtime, mintToken, RedisEventLog, type Realtime } from '../src/index';
import { deleteKeys, randomKeyPrefix, redisClient, REDIS_TEST_URL } from './support/redis';

const SECRET = 'r'.repeat(40);

interface Instance {
  readonly baseUrl: string;
  readonly realtime: Realtime;
  readonly log: RedisEventLog;
  stop(): Promise<void>;
}

/** Chat over HTTP on two instances of one Redis: requests for a connection reach the instance holding it. */
describe('HTTP chat relayed between instances', () => {
  const prefix = randomKeyPrefix();
  const running: Instance[] = [];

  afterAll(async () => {
    for (const instance of running.splice(0)) await instance.stop();
    const redis = await redisClient();
    await deleteKeys(redis, prefix);
    await redis.close();
  });

  async function start(options: Partial<Parameters<typeof createRealtime>[0]> = {}): Promise<Instance> {
    const log = new RedisEventLog({ url: REDIS_TEST_URL, historyLimit: 100, keyPrefix: prefix, blockMs: 1000 });
    await log.ready();
    const realtime = createRealtime({ basePath: '/api', log, logger: pino({ level: 'silent' }), ...options });
    const app = express();
    app.use('/api', realtime.router);
    const server = http.createServer(app);
    realtime.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    let stopped = false;
    const instance: Instance = {
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
      realtime,
      log,
      async stop() {
        if (stopped) return;
        stopped = true;
        await realtime.close();
        await log.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
    running.push(instance);
    return instance;
  }

  const lists = (frame: Record<string, unknown>, field: 'joined' | 'left', user: string): boolean =>
    frame['type'] === 'presence' && Array.isArray(frame[field]) && (frame[field] as unknown[]).includes(user);

  async function post(baseUrl: string, connectionId: string, frame: unknown, token?: string): Promise<{ status: number; code?: string }> {
    const response = await fetch(`${baseUrl}/chat/sessions/${encodeURIComponent(connectionId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(frame),
    });
    const text = await response.text();
    return { status: response.status, code: text ? (JSON.parse(text) as { error?: { code?: string } }).error?.code : undefined };
  }

  it("refuses another user's POST with 403 on either instance, and relays the owner's", async () => {
    const [a, b] = [await start({ authSecret: SECRET }), await start({ authSecret: SECRET })];
    const ada = await mintToken({ secret: SECRET, sub: 'ada', ttlS: 600 });
    const eve = await mintToken({ secret: SECRET, sub: 'eve', ttlS: 600 });
    const target: Target = { baseUrl: a.baseUrl, token: ada };
    const chat = await openChat(target, 'ada', 'sse');
    try {
      const id = String(chat.frames[0]['connectionId']);
      for (const instance of [a, b]) expect(await post(instance.baseUrl, id, { type: 'ping', t: 1 }, eve)).toEqual({ status: 403, code: 'forbidden' });
      expect(await post(b.baseUrl, id, { type: 'ping', t: 2 }, ada)).toEqual({ status: 204 });
      await chat.next((frame) => frame.type === 'pong' && frame['t'] === 2, 'the pong of the relayed ping');
      expect(chat.frames.filter((frame) => frame.type === 'pong')).toHaveLength(1);
    } finally {
      chat.close();
    }
  });

  it('answers a relayed poll from the instance holding the connection, and lets it go when the poller leaves', async () => {
    const [a, b] = [await start({ chatPollSessionTimeoutMs: 1500 }), await start({ chatPollSessionTimeoutMs: 1500 })];
    const watcher = await openChat({ baseUrl: b.baseUrl, token: null }, 'watcher', 'websocket');
    try {
      watcher.send({ type: 'join', room: 'relay' });
      await watcher.next((frame) => frame.type === 'joined', 'joined');
      const opened = (await (await fetch(`${a.baseUrl}/chat/poll?name=cy`)).json()) as { frames: Record<string, unknown>[]; seq: number };
      const id = String(opened.frames[0]['connectionId']);
      expect(await post(b.baseUrl, id, { type: 'join', room: 'relay' })).toEqual({ status: 204 });
      const relayed = await fetch(`${b.baseUrl}/chat/poll?connectionId=${encodeURIComponent(id)}&after=${opened.seq}&timeout=5000`);
      const answer = (await relayed.json()) as { frames: Record<string, unknown>[]; seq: number };
      expect(relayed.status).toBe(200);
      expect(answer.frames.map((frame) => frame.type)).toContain('joined');
      await watcher.next((frame) => lists(frame, 'joined', 'cy'), 'cy joined');

      // Take the frames still coming (presence), so the next poll has nothing to answer at once.
      let seq = answer.seq;
      for (;;) {
        const drained = (await (await fetch(`${b.baseUrl}/chat/poll?connectionId=${encodeURIComponent(id)}&after=${seq}&timeout=300`)).json()) as {
          frames: unknown[];
          seq: number;
        };
        seq = drained.seq;
        if (drained.frames.length === 0) break;
      }
      // A poll held through b for 60 s, given up by its client: a releases it, and with no poll held the session ends.
      const abort = new AbortController();
      const held = fetch(`${b.baseUrl}/chat/poll?connectionId=${encodeURIComponent(id)}&after=${seq}&timeout=60000`, { signal: abort.signal }).catch(
        () => undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(watcher.frames.some((frame) => lists(frame, 'left', 'cy'))).toBe(false);
      abort.abort();
      await held;
      await watcher.next((frame) => lists(frame, 'left', 'cy'), 'cy left once the held poll was given up', 0, 10_000);
    } finally {
      watcher.close();
    }
  });

  it('answers 404 unknown_connection once the instance holding the connection has stopped', async () => {
    const [a, b] = [await start(), await start()];
    const chat = await openChat({ baseUrl: a.baseUrl, token: null }, 'ada', 'sse');
    const id = String(chat.frames[0]['connectionId']);
    try {
      expect(await post(b.baseUrl, id, { type: 'ping' })).toEqual({ status: 204 });
      await a.stop();
      expect(await post(b.baseUrl, id, { type: 'ping' })).toEqual({ status: 404, code: 'unknown_connection' });
      const poll = await fetch(`${b.baseUrl}/chat/poll?connectionId=${encodeURIComponent(id)}&after=0&timeout=0`);
      expect(poll.status).toBe(404);
    } finally {
      chat.close();
    }
  });
});
