import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { Registry } from 'prom-client';
import WebSocket from 'ws';
import {
  MemoryEventLog,
  RealtimeOptionsError,
  createRealtime,
  type Realtime,
  type RealtimeOptions,
} from '../src/index';
import { resolveOptions } from '../src/options';

const quiet = pino({ level: 'silent' });

interface Running {
  url: string;
  server: http.Server;
  stop(): Promise<void>;
}

async function listen(app: express.Express, ...instances: Realtime[]): Promise<Running> {
  const server = http.createServer(app);
  for (const instance of instances) instance.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    async stop() {
      await Promise.all(instances.map((instance) => instance.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Opens a chat socket and resolves with its first frame (welcome), or rejects with the HTTP status of a refusal. */
function chatWelcome(url: string): Promise<{ socket: WebSocket; welcome: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('message', (data) => resolve({ socket, welcome: JSON.parse(String(data)) as Record<string, unknown> }));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

describe('createRealtime', () => {
  it('serves the floor of the README: router at basePath, attach, publish from server code, close', async () => {
    const app = express();
    const realtime = createRealtime({ basePath: '/api', logger: quiet });
    app.use(realtime.basePath, realtime.router);
    const running = await listen(app, realtime);
    try {
      const health = await fetch(`${running.url}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', log: 'memory' });
      const ready = await fetch(`${running.url}/api/health/ready`);
      expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', log: 'ok' }]);

      const first = await fetch(`${running.url}/api/poll/user:42?timeout=0`);
      const { cursor } = (await first.json()) as { cursor: string };
      const event = await realtime.publish('user:42', 'order.shipped', { orderId: 7 });
      expect(event).toEqual({ id: expect.any(String), topic: 'user:42', type: 'order.shipped', data: { orderId: 7 }, ts: expect.any(Number) });
      const polled = await fetch(`${running.url}/api/poll/user:42?cursor=${cursor}`);
      expect(((await polled.json()) as { events: unknown[] }).events).toEqual([event]);

      const { socket, welcome } = await chatWelcome(`${running.url.replace('http', 'ws')}/api/chat?name=ann`);
      expect(welcome).toMatchObject({ type: 'welcome', user: 'ann' });
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      await realtime.close();
      expect(await closed).toBe(1001);
      expect((await fetch(`${running.url}/api/health`)).status).toBe(503);
      // a draining instance leaves the load balancer's pool
      const draining = await fetch(`${running.url}/api/health/ready`);
      expect([draining.status, ((await draining.json()) as { error: { code: string } }).error.code]).toEqual([503, 'shutting_down']);
      await expect(realtime.publish('a', 'b', 1)).rejects.toMatchObject({ code: 'shutting_down' });
    } finally {
      await running.stop();
    }
  });

  it('works under a nested router mount and with two instances on one server', async () => {
    const app = express();
    const orders = createRealtime({ basePath: '/v1/realtime', logger: quiet });
    const admin = createRealtime({ basePath: '/admin/rt', logger: quiet, publishEndpoint: true });
    const v1 = express.Router();
    v1.use('/realtime', orders.router);
    app.use('/v1', v1);
    app.use(admin.basePath, admin.router);
    const running = await listen(app, orders, admin);
    try {
      await orders.publish('orders', 'created', { n: 1 });
      const fromOrders = await fetch(`${running.url}/v1/realtime/poll/orders?cursor=${await orders.log.head('none')}&timeout=0`);
      expect(fromOrders.status).toBe(200);
      const published = await fetch(`${running.url}/admin/rt/topics/orders/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'created', data: { n: 2 } }),
      });
      expect(published.status).toBe(201);
      // Each instance has its own log: the admin event is not in the orders log.
      expect((await orders.log.last('orders', 10)).map((event) => event.data)).toEqual([{ n: 1 }]);
      expect((await admin.log.last('orders', 10)).map((event) => event.data)).toEqual([{ n: 2 }]);

      const ws = running.url.replace('http', 'ws');
      const a = await chatWelcome(`${ws}/v1/realtime/chat?name=a`);
      const b = await chatWelcome(`${ws}/admin/rt/chat?name=b`);
      expect([a.welcome['user'], b.welcome['user']]).toEqual(['a', 'b']);
      expect(orders.connectionCounts().websocket).toBe(1);
      expect(admin.connectionCounts().websocket).toBe(1);
      await expect(chatWelcome(`${ws}/api/chat`)).rejects.toThrow('HTTP 404');
      a.socket.terminate();
      b.socket.terminate();
    } finally {
      await running.stop();
    }
  });

  it('leaves upgrades of other paths to another upgrade listener', async () => {
    const realtime = createRealtime({ basePath: '/rt', logger: quiet });
    const app = express();
    app.use(realtime.basePath, realtime.router);
    const running = await listen(app, realtime);
    const other = new WebSocket.WebSocketServer({ noServer: true });
    running.server.on('upgrade', (req, socket, head) => {
      if (req.url === '/hmr') other.handleUpgrade(req, socket, head, (ws) => ws.send('{"type":"hmr"}'));
    });
    try {
      const { socket, welcome } = await chatWelcome(`${running.url.replace('http', 'ws')}/hmr`);
      expect(welcome).toEqual({ type: 'hmr' });
      socket.terminate();
    } finally {
      other.close();
      await running.stop();
    }
  });

  it('keeps the HTTP publish endpoint off without auth, and opens it with publishEndpoint: true', async () => {
    const closed = createRealtime({ basePath: '/a', logger: quiet });
    const open = createRealtime({ basePath: '/b', logger: quiet, publishEndpoint: true });
    const withAuth = createRealtime({ basePath: '/c', logger: quiet, authSecret: 'x'.repeat(32), authRealm: 'orders' });
    expect([closed.settings.publishEndpoint, open.settings.publishEndpoint, withAuth.settings.publishEndpoint]).toEqual([false, true, true]);
    const app = express();
    for (const instance of [closed, open, withAuth]) app.use(instance.basePath, instance.router);
    const running = await listen(app, closed, open, withAuth);
    const post = (base: string) =>
      fetch(`${running.url}${base}/topics/t/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"type":"x","data":1}',
      });
    try {
      const refused = await post('/a');
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: 'forbidden' } });
      expect((await post('/b')).status).toBe(201);
      const unauthorized = await post('/c');
      expect(unauthorized.status).toBe(401);
      expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer realm="orders"');
      expect(await closed.log.last('t', 1)).toEqual([]);
    } finally {
      await running.stop();
    }
  });

  it('refuses what the HTTP endpoint refuses when server code publishes', async () => {
    const realtime = createRealtime({ basePath: '/api', logger: quiet });
    try {
      await expect(realtime.publish('../x', 'a', 1)).rejects.toMatchObject({ code: 'invalid_topic' });
      await expect(realtime.publish('a', 'has space', 1)).rejects.toMatchObject({ code: 'invalid_type' });
      await expect(realtime.publish('a', 'reset', 1)).rejects.toMatchObject({ code: 'reserved_type' });
      await expect(realtime.publish('chat:r', 'message', { text: 'x' })).rejects.toMatchObject({ code: 'reserved_type' });
      await expect(realtime.publish('a', 'big', { n: BigInt(1) })).rejects.toMatchObject({ code: 'invalid_body' });
      const data = { n: 1 };
      const event = await realtime.publish('a', 'ok', data);
      data.n = 2;
      expect(event.data).toEqual({ n: 1 });
      expect((await realtime.publish('a', 'empty')).data).toBeNull();
    } finally {
      await realtime.close();
    }
  });

  it('registers its metrics in the registry and under the prefix it is given, and uses a log it is given', async () => {
    const registry = new Registry();
    const log = new MemoryEventLog({ historyLimit: 10 });
    const one = createRealtime({ basePath: '/one', logger: quiet, registry, log });
    const two = createRealtime({ basePath: '/two', logger: quiet, registry, metricsPrefix: 'two_' });
    await one.publish('t', 'x', 1);
    expect(await registry.getSingleMetricAsString('realtime_events_published_total')).toMatch(/ 1$/m);
    expect(await registry.getSingleMetricAsString('two_events_published_total')).toMatch(/ 0$/m);
    expect(one.log).toBe(log);
    await one.close();
    await two.close();
    // A log passed in stays open: its owner closes it.
    expect((await log.last('t', 1)).length).toBe(1);
    await log.close();
  });

  it('fills in the defaults of the environment settings', () => {
    expect(resolveOptions({ basePath: '/api/' }).settings).toEqual({
      basePath: '/api',
      bodyLimitBytes: 65536,
      historyLimit: 1000,
      sseHeartbeatMs: 15000,
      sseRetryMs: 2000,
      pollDefaultTimeoutMs: 25000,
      pollMaxTimeoutMs: 60000,
      pollDefaultLimit: 100,
      pollMaxLimit: 1000,
      wsMaxPayloadBytes: 65536,
      wsHeartbeatMs: 30000,
      wsRateLimit: 200,
      wsRateWindowMs: 10000,
      chatJoinHistory: 50,
      chatMemberListLimit: 100,
      presenceWindowMs: 100,
      chatMaxRoomsPerConnection: 50,
      chatDedupMaxRooms: 10000,
      chatPollSessionTimeoutMs: 30000,
      maxBufferedBytes: 1048576,
      maxConnectionsPerIp: 1024,
      trustProxy: false,
      httpRateLimit: 0,
      httpRateWindowMs: 60000,
      allowedOrigins: null,
      shutdownGraceMs: 5000,
      authSecret: null,
      authIssuer: null,
      authAudience: null,
      authClockToleranceS: 5,
      authRealm: 'realtime',
      publishEndpoint: false,
    });
    expect(resolveOptions({ basePath: '/', pollMaxTimeoutMs: 1000, pollMaxLimit: 10 }).settings).toMatchObject({
      basePath: '/',
      pollDefaultTimeoutMs: 1000,
      pollDefaultLimit: 10,
    });
    expect(resolveOptions({ basePath: '/x', trustProxy: 'loopback, 10.0.0.0/8' }).settings.trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(resolveOptions({ basePath: '/x', allowedOrigins: ['https://a.example/', '*'] }).settings.allowedOrigins).toEqual([
      'https://a.example',
      '*',
    ]);
  });

  const BAD_OPTIONS: [string, unknown, string][] = [
    ['no options', undefined, 'createRealtime: options must be an object like { basePath: \'/api\' }, got undefined'],
    ['no basePath', {}, 'createRealtime: basePath must be a URL path like "/api" or "/v1/realtime" (or "/"), got undefined'],
    ['a relative basePath', { basePath: 'api' }, 'basePath must be a URL path like "/api" or "/v1/realtime" (or "/"), got "api"'],
    ['a basePath with ..', { basePath: '/a/../b' }, 'basePath must be a URL path like "/api" or "/v1/realtime" (or "/"), got "/a/../b"'],
    ['a basePath with a query', { basePath: '/a?b' }, 'basePath must be a URL path like "/api" or "/v1/realtime" (or "/"), got "/a?b"'],
    ['an unknown option', { basePath: '/a', historylimit: 5 }, 'createRealtime: unknown option "historylimit"'],
    ['historyLimit 0', { basePath: '/a', historyLimit: 0 }, 'historyLimit must be an integer from 1 to 10000000, got 0'],
    ['historyLimit as text', { basePath: '/a', historyLimit: '5' }, 'historyLimit must be an integer from 1 to 10000000, got "5"'],
    ['a fractional bodyLimitBytes', { basePath: '/a', bodyLimitBytes: 1.5 }, 'bodyLimitBytes must be an integer from 1 to 16777216, got 1.5'],
    ['sseHeartbeatMs below 10', { basePath: '/a', sseHeartbeatMs: 5 }, 'sseHeartbeatMs must be an integer from 10 to 3600000, got 5'],
    ['a negative sseRetryMs', { basePath: '/a', sseRetryMs: -1 }, 'sseRetryMs must be an integer from 0 to 3600000, got -1'],
    ['pollMaxTimeoutMs NaN', { basePath: '/a', pollMaxTimeoutMs: NaN }, 'pollMaxTimeoutMs must be an integer from 0 to 3600000, got NaN'],
    ['pollMaxLimit 0', { basePath: '/a', pollMaxLimit: 0 }, 'pollMaxLimit must be an integer from 1 to 100000, got 0'],
    ['pollDefaultTimeoutMs over its max', { basePath: '/a', pollDefaultTimeoutMs: 30_000, pollMaxTimeoutMs: 20_000 }, 'pollDefaultTimeoutMs (30000) must not exceed pollMaxTimeoutMs (20000)'],
    ['pollDefaultLimit over its max', { basePath: '/a', pollDefaultLimit: 50, pollMaxLimit: 10 }, 'pollDefaultLimit (50) must not exceed pollMaxLimit (10)'],
    ['wsMaxPayloadBytes below 64', { basePath: '/a', wsMaxPayloadBytes: 63 }, 'wsMaxPayloadBytes must be an integer from 64 to 16777216, got 63'],
    ['wsHeartbeatMs Infinity', { basePath: '/a', wsHeartbeatMs: Infinity }, 'wsHeartbeatMs must be an integer from 10 to 3600000, got Infinity'],
    ['wsRateLimit 0', { basePath: '/a', wsRateLimit: 0 }, 'wsRateLimit must be an integer from 1 to 1000000, got 0'],
    ['wsRateWindowMs 0', { basePath: '/a', wsRateWindowMs: 0 }, 'wsRateWindowMs must be an integer from 1 to 3600000, got 0'],
    ['chatJoinHistory too large', { basePath: '/a', chatJoinHistory: 10_001 }, 'chatJoinHistory must be an integer from 0 to 10000, got 10001'],
    ['chatMemberListLimit negative', { basePath: '/a', chatMemberListLimit: -1 }, 'chatMemberListLimit must be an integer from 0 to 100000, got -1'],
    ['presenceWindowMs too large', { basePath: '/a', presenceWindowMs: 60_001 }, 'presenceWindowMs must be an integer from 0 to 60000, got 60001'],
    ['chatMaxRoomsPerConnection 0', { basePath: '/a', chatMaxRoomsPerConnection: 0 }, 'chatMaxRoomsPerConnection must be an integer from 1 to 10000, got 0'],
    ['chatDedupMaxRooms 0', { basePath: '/a', chatDedupMaxRooms: 0 }, 'chatDedupMaxRooms must be an integer from 1 to 10000000, got 0'],
    ['maxBufferedBytes 0', { basePath: '/a', maxBufferedBytes: 0 }, 'maxBufferedBytes must be an integer from 1 to 1073741824, got 0'],
    ['maxConnectionsPerIp 0', { basePath: '/a', maxConnectionsPerIp: 0 }, 'maxConnectionsPerIp must be an integer from 1 to 1000000, got 0'],
    ['httpRateLimit negative', { basePath: '/a', httpRateLimit: -5 }, 'httpRateLimit must be an integer from 0 to 1000000000, got -5'],
    ['httpRateWindowMs 0', { basePath: '/a', httpRateWindowMs: 0 }, 'httpRateWindowMs must be an integer from 1 to 86400000, got 0'],
    ['shutdownGraceMs too large', { basePath: '/a', shutdownGraceMs: 600_001 }, 'shutdownGraceMs must be an integer from 0 to 600000, got 600001'],
    ['authClockToleranceS too large', { basePath: '/a', authSecret: 'x'.repeat(32), authClockToleranceS: 301 }, 'authClockToleranceS must be an integer from 0 to 300, got 301'],
    ['allowedOrigins as a string', { basePath: '/a', allowedOrigins: 'https://a.example' }, 'allowedOrigins must be an array of origins (or null), got "https://a.example"'],
    ['an allowedOrigins entry with a path', { basePath: '/a', allowedOrigins: ['https://a.example/x'] }, 'allowedOrigins entries must be bare origins (scheme://host[:port]), got "https://a.example/x"'],
    ['an allowedOrigins entry that is no URL', { basePath: '/a', allowedOrigins: ['a.example'] }, 'allowedOrigins entries must be origins like https://example.com or *, got "a.example"'],
    ['a short authSecret', { basePath: '/a', authSecret: 'short' }, 'authSecret must be at least 32 bytes (e.g. `openssl rand -base64 48`), got 5'],
    ['an authSecret that is no string', { basePath: '/a', authSecret: 42 }, 'authSecret must be a string or null, got 42'],
    ['authIssuer without authSecret', { basePath: '/a', authIssuer: 'me' }, 'authIssuer is set but authSecret is not; set both or neither'],
    ['authAudience without authSecret', { basePath: '/a', authAudience: 'you' }, 'authAudience is set but authSecret is not; set both or neither'],
    ['an empty authIssuer', { basePath: '/a', authSecret: 'x'.repeat(32), authIssuer: ' ' }, 'authIssuer must be a non-empty string or null, got " "'],
    ['an authRealm with a quote', { basePath: '/a', authRealm: 'a"b' }, 'authRealm must be 1..64 printable ASCII characters without " or \\, got "a\\"b"'],
    ['publishEndpoint as text', { basePath: '/a', publishEndpoint: 'yes' }, 'publishEndpoint must be true or false, got "yes"'],
    ['a log that is no EventLog', { basePath: '/a', log: {} }, 'log must implement EventLog (append, read, head, last, subscribe, isValidCursor, compare, close), got an object'],
    ['a logger that is no pino logger', { basePath: '/a', logger: console }, 'logger must be a pino logger, got an object'],
    ['a registry that is no Registry', { basePath: '/a', registry: {} }, 'registry must be a prom-client Registry, got an object'],
    ['a metricsPrefix with a dash', { basePath: '/a', metricsPrefix: 'my-app_' }, 'metricsPrefix must match ^[a-zA-Z_:][a-zA-Z0-9_:]*$, got "my-app_"'],
  ];

  it.each(BAD_OPTIONS)('throws for %s, naming the option', (_what, options, message) => {
    const create = () => createRealtime(options as RealtimeOptions);
    expect(create).toThrow(RealtimeOptionsError);
    expect(create).toThrow(message);
  });
});
