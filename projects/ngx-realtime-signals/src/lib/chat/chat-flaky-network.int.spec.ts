import type { EnvironmentInjector } from '@angular/core';
import WebSocket from 'ws';
import { ChatService, withWebSocket, type ChatRoom } from 'ngx-realtime-signals';
import { createDemoServer } from '@demo-server/src/app';
import { loadConfig } from '@demo-server/src/config';
import { seededRandom, startCuttingProxy } from '../integration/cutting-proxy';
import { realtimeInjector } from '../integration/realtime-test-support';

const SEED = Number(process.env['CHAT_CHAOS_SEED'] ?? 20261123);
const PER_SENDER = 40;

function chatService(baseUrl: string): { chat: ChatService; injector: EnvironmentInjector } {
  const injector = realtimeInjector(baseUrl, [ChatService], { initialDelayMs: 20, maxDelayMs: 200 }, [], [
    withWebSocket(WebSocket as unknown as typeof globalThis.WebSocket),
  ]);
  return { chat: injector.get(ChatService), injector };
}

async function waitFor(condition: () => boolean, describe: () => unknown, timeoutMs = 25_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in time (seed ${SEED}): ${JSON.stringify(describe())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ChatService over a flaky network', () => {
  it('delivers every message exactly once, in order per sender, with none left pending, while connections are cut', async () => {
    const random = seededRandom(SEED);
    const server = createDemoServer(
      loadConfig({ LOG_LEVEL: 'silent', DEMO_SCENARIO: 'off', SHUTDOWN_GRACE_MS: '500', WS_RATE_LIMIT: '100000' }),
    );
    const serverUrl = await server.listen(0, '127.0.0.1');
    const proxy = await startCuttingProxy(serverUrl, { minBytes: 500, maxBytes: 5_000, random, bothDirections: true });
    const injectors: EnvironmentInjector[] = [];
    try {
      const ada = chatService(proxy.url);
      const bob = chatService(proxy.url);
      injectors.push(ada.injector, bob.injector);
      const rooms: Record<'a' | 'b', ChatRoom> = { a: ada.chat.join('chaos'), b: bob.chat.join('chaos') };
      ada.chat.connect({ name: 'ada' });
      bob.chat.connect({ name: 'bob' });

      const sender = async (prefix: 'a' | 'b') => {
        for (let i = 0; i < PER_SENDER; i++) {
          rooms[prefix].send(`${prefix}${i}`);
          await sleep(Math.floor(random() * 25));
        }
      };
      await Promise.all([sender('a'), sender('b')]);
      proxy.calm();

      const expected = 2 * PER_SENDER;
      const settled = (room: ChatRoom) =>
        room.messages().length === expected && room.messages().every((m) => m.status === 'sent');
      await waitFor(
        () => settled(rooms.a) && settled(rooms.b),
        () => ({
          cuts: proxy.cuts,
          ada: rooms.a.messages().map((m) => `${m.text}:${m.status}`),
          bob: rooms.b.messages().map((m) => `${m.text}:${m.status}`),
        }),
      );

      expect(proxy.cuts).toBeGreaterThanOrEqual(5);
      for (const room of [rooms.a, rooms.b]) {
        const texts = room.messages().map((m) => m.text);
        expect(new Set(texts).size).toBe(expected);
        expect(texts.filter((t) => t.startsWith('a'))).toEqual(Array.from({ length: PER_SENDER }, (_, i) => `a${i}`));
        expect(texts.filter((t) => t.startsWith('b'))).toEqual(Array.from({ length: PER_SENDER }, (_, i) => `b${i}`));
      }
      expect(rooms.a.messages().map((m) => m.id)).toEqual(rooms.b.messages().map((m) => m.id));
    } finally {
      for (const injector of injectors) injector.destroy();
      await proxy.close();
      await server.close();
    }
  });
});
