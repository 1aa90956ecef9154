import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { HttpChat, openChat, type Target } from '../src/conformance/clients';
import { createRealtime, type Realtime } from '../src/index';

async function start(options: Partial<Parameters<typeof createRealtime>[0]> = {}): Promise<{ target: Target; realtime: Realtime; stop(): Promise<void> }> {
  const realtime = createRealtime({ basePath: '/api', logger: pino({ level: 'silent' }), publishEndpoint: true, ...options });
  const app = express();
  app.use('/api', realtime.router);
  const server = http.createServer(app);
  realtime.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    target: { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, token: null },
    realtime,
    async stop() {
      await realtime.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function poll(target: Target, query: string): Promise<{ status: number; body: { frames: Record<string, unknown>[]; seq: number } }> {
  const response = await fetch(`${target.baseUrl}/chat/poll?${query}`);
  return { status: response.status, body: (await response.json()) as { frames: Record<string, unknown>[]; seq: number } };
}

describe('chat over HTTP', () => {
  it('shares send idempotency with WebSocket: a clientId sent over a socket and retried over SSE gets the same ack and one message', async () => {
    const running = await start();
    const socket = await openChat(running.target, 'ws-user', 'websocket');
    const stream = await openChat(running.target, 'ws-user', 'sse');
    try {
      for (const chat of [socket, stream]) {
        chat.send({ type: 'join', room: 'idem' });
        await chat.next((frame) => frame.type === 'joined', 'joined');
      }
      socket.send({ type: 'send', room: 'idem', clientId: 'c-1', text: 'once' });
      const first = await socket.next((frame) => frame.type === 'ack', 'ack over WebSocket');
      stream.send({ type: 'send', room: 'idem', clientId: 'c-1', text: 'once' });
      const second = await stream.next((frame) => frame.type === 'ack', 'ack over SSE');
      expect(second['id']).toBe(first['id']);
      stream.send({ type: 'ping', t: 1 });
      await stream.next((frame) => frame.type === 'pong', 'pong');
      expect(stream.frames.filter((frame) => frame.type === 'message')).toHaveLength(1);
      expect(await running.realtime.log.last('chat:idem', 10)).toHaveLength(1);
    } finally {
      socket.close();
      stream.close();
      await running.stop();
    }
  });

  it('sends a long poll the frames it has not confirmed again, and drops them once confirmed', async () => {
    const running = await start();
    try {
      const opened = await poll(running.target, 'name=poller');
      expect(opened.status).toBe(200);
      expect(opened.body.frames.map((frame) => frame['type'])).toEqual(['welcome']);
      const id = String(opened.body.frames[0]['connectionId']);
      const post = await fetch(`${running.target.baseUrl}/chat/sessions/${id}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'join', room: 'lp' }),
      });
      expect(post.status).toBe(204);
      const first = await poll(running.target, `connectionId=${id}&after=${opened.body.seq}&timeout=5000`);
      expect(first.body.frames.map((frame) => frame['type'])).toContain('joined');
      // The answer was "lost": the same `after` gets the same frames again.
      const again = await poll(running.target, `connectionId=${id}&after=${opened.body.seq}&timeout=0`);
      expect(again.body).toEqual(first.body);
      const confirmed = await poll(running.target, `connectionId=${id}&after=${first.body.seq}&timeout=0`);
      expect(confirmed.body).toEqual({ frames: [], seq: first.body.seq });
    } finally {
      await running.stop();
    }
  });

  it('closes a long-poll connection that stops polling, and its user leaves the room', async () => {
    const running = await start({ chatPollSessionTimeoutMs: 300, presenceWindowMs: 0 });
    const watcher = await openChat(running.target, 'watcher', 'websocket');
    try {
      watcher.send({ type: 'join', room: 'idle' });
      await watcher.next((frame) => frame.type === 'joined', 'joined');
      const opened = await poll(running.target, 'name=sleepy');
      const id = String(opened.body.frames[0]['connectionId']);
      await fetch(`${running.target.baseUrl}/chat/sessions/${id}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'join', room: 'idle' }),
      });
      await watcher.next((frame) => frame.type === 'presence' && String(frame['joined'] ?? '').includes('sleepy'), 'sleepy joined');
      await watcher.next((frame) => frame.type === 'presence' && String(frame['left'] ?? '').includes('sleepy'), 'sleepy left');
      expect((await poll(running.target, `connectionId=${id}&after=0&timeout=0`)).status).toBe(404);
    } finally {
      watcher.close();
      await running.stop();
    }
  });

  it('ends HTTP chat connections with a close frame on shutdown, and counts them in health', async () => {
    const running = await start();
    const stream = await openChat(running.target, 'a', 'sse');
    const polled = (await HttpChat.open(running.target, 'b', 'long-poll')) as HttpChat;
    const health = (await (await fetch(`${running.target.baseUrl}/health`)).json()) as { connections: { sse: number; longPoll: number } };
    expect(health.connections.sse).toBeGreaterThanOrEqual(1);
    expect(health.connections.longPoll).toBe(1);
    await running.stop();
    await stream.next((frame) => frame.type === 'close', 'close frame').catch(() => undefined);
    expect(stream.frames.find((frame) => frame.type === 'close')).toEqual({ type: 'close', code: 1001, reason: 'server shutting down' });
    polled.close();
  });
});
