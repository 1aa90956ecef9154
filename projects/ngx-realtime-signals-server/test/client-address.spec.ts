import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import WebSocket from 'ws';
import { RealtimeOptionsError, createRealtime, type RealtimeOptions } from '../src/index';

const quiet = pino({ level: 'silent' });

interface Running {
  url: string;
  stop(): Promise<void>;
}

/** A real server with one instance allowing one connection per client address. */
async function start(options: Omit<RealtimeOptions, 'basePath'> = {}): Promise<Running> {
  const realtime = createRealtime({ basePath: '/api', logger: quiet, maxConnectionsPerIp: 1, ...options });
  const app = express();
  app.use(realtime.basePath, realtime.router);
  const server = http.createServer(app);
  realtime.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await realtime.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const opened: AbortController[] = [];
const sockets: WebSocket[] = [];
afterEach(() => {
  for (const controller of opened.splice(0)) controller.abort();
  for (const socket of sockets.splice(0)) socket.terminate();
});

/** Opens an SSE stream (kept open until the test ends) claiming to come through a proxy for `forwardedFor`; resolves with the status. */
async function sse(running: Running, forwardedFor: string | null): Promise<number> {
  const controller = new AbortController();
  opened.push(controller);
  const headers: Record<string, string> = forwardedFor === null ? {} : { 'X-Forwarded-For': forwardedFor };
  const response = await fetch(`${running.url}/api/events/lobby`, { headers, signal: controller.signal });
  if (response.status !== 200) await response.text();
  return response.status;
}

/** Opens a chat socket with `X-Forwarded-For`; resolves with 101 once welcomed, or the HTTP status of the refusal. */
function chat(running: Running, forwardedFor: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${running.url.replace('http', 'ws')}/api/chat?name=ann`, { headers: { 'X-Forwarded-For': forwardedFor } });
    sockets.push(socket);
    socket.once('message', () => resolve(101));
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', reject);
  });
}

describe('client addresses behind a proxy', () => {
  it('ignores X-Forwarded-For by default: a client cannot pose as others to get more connections', async () => {
    const running = await start();
    try {
      expect(await sse(running, '203.0.113.1')).toBe(200);
      expect(await sse(running, '203.0.113.2')).toBe(429);
      expect(await chat(running, '203.0.113.3')).toBe(429);
    } finally {
      await running.stop();
    }
  });

  it('counts each client named by a trusted proxy separately, on every transport', async () => {
    const running = await start({ trustProxy: 'loopback' });
    try {
      expect(await sse(running, '203.0.113.1')).toBe(200);
      expect(await sse(running, '203.0.113.2')).toBe(200);
      expect(await chat(running, '203.0.113.3')).toBe(101);
      // the same clients again: each is at its limit
      expect(await sse(running, '203.0.113.1')).toBe(429);
      expect(await chat(running, '203.0.113.2')).toBe(429);
      // the proxy's own request (a health check) is the proxy's address
      expect(await sse(running, null)).toBe(200);
    } finally {
      await running.stop();
    }
  });

  it('does not read the header from a peer outside the trusted list', async () => {
    const running = await start({ trustProxy: ['10.0.0.0/8', '192.0.2.7'] });
    try {
      expect(await sse(running, '203.0.113.1')).toBe(200);
      expect(await sse(running, '203.0.113.2')).toBe(429);
    } finally {
      await running.stop();
    }
  });

  it('with a hop count, takes the address the nearest trusted proxy saw, not what the client wrote before it', async () => {
    const running = await start({ trustProxy: 1 });
    try {
      expect(await sse(running, '198.51.100.1, 203.0.113.1')).toBe(200);
      expect(await sse(running, '198.51.100.2, 203.0.113.1')).toBe(429);
      expect(await sse(running, '198.51.100.2, 203.0.113.2')).toBe(200);
    } finally {
      await running.stop();
    }
  });

  it.each([
    ['a name it does not know', 'proxies', 'trustProxy: invalid IP address: proxies'],
    ['a negative hop count', -1, 'trustProxy as a hop count must be an integer from 0 to 1000, got -1'],
    ['an empty list', [], 'trustProxy must be true, false, a hop count or proxy addresses'],
    ['a bad subnet', ['10.0.0.0/40'], 'trustProxy: invalid range on address: 10.0.0.0/40'],
  ])('refuses %s as trustProxy, naming the option', (_what, trustProxy, message) => {
    expect(() => createRealtime({ basePath: '/api', logger: quiet, trustProxy } as unknown as RealtimeOptions)).toThrow(RealtimeOptionsError);
    expect(() => createRealtime({ basePath: '/api', logger: quiet, trustProxy } as unknown as RealtimeOptions)).toThrow(message);
  });
});
