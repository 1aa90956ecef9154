import type { EnvironmentInjector } from '@angular/core';
import WebSocket from 'ws';
import {
  ChatService,
  NotificationService,
  withBuffers,
  withTransports,
  withWebSocket,
  type RealtimeEvent,
  type RealtimeTransportKind,
} from 'ngx-realtime-signals';
import { createDemoServer } from '@demo-server/src/app';
import { loadConfig } from '@demo-server/src/config';
import { startBlockingProxy, type BlockingProxy, type BlockingProxyKind } from './blocking-proxy';
import { publish, realtimeInjector, waitFor } from './realtime-test-support';

const EVENTS = 500;
const MESSAGES = 50;
/** The `close-after` proxy cuts every stream after this long (a real one waits 30 s). */
const CLOSE_AFTER_MS = 3000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Time to `open` through each proxy, printed once at the end (measured, not asserted). */
const openTimes: string[] = [];
afterAll(() => {
  if (openTimes.length > 0) process.stdout.write(`\ntime to open through each proxy:\n${openTimes.map((line) => `  ${line}`).join('\n')}\n`);
});

function services(baseUrl: string, reprobeMs = 0): { injector: EnvironmentInjector; chat: ChatService; notes: NotificationService } {
  const injector = realtimeInjector(baseUrl, [ChatService, NotificationService], { initialDelayMs: 20, maxDelayMs: 200 }, [], [
    withWebSocket(WebSocket as unknown as typeof globalThis.WebSocket),
    withBuffers({ notifications: EVENTS * 2, messages: MESSAGES * 4 }),
    withTransports(['websocket', 'sse', 'long-poll'], { reprobeMs }),
  ]);
  return { injector, chat: injector.get(ChatService), notes: injector.get(NotificationService) };
}

async function startServer() {
  const server = createDemoServer(
    loadConfig({ LOG_LEVEL: 'silent', DEMO_SCENARIO: 'off', SHUTDOWN_GRACE_MS: '300', WS_RATE_LIMIT: '100000', CHAT_POLL_SESSION_TIMEOUT_MS: '5000' }),
  );
  const url = await server.listen(0, '127.0.0.1');
  return { url, close: () => server.close() };
}

const cases: { kind: BlockingProxyKind; refuseStatus?: 400 | 403; chat: RealtimeTransportKind; notes: RealtimeTransportKind }[] = [
  { kind: 'refuse-upgrade', refuseStatus: 403, chat: 'sse', notes: 'sse' },
  { kind: 'refuse-upgrade', refuseStatus: 400, chat: 'sse', notes: 'sse' },
  { kind: 'drop-frames', chat: 'sse', notes: 'sse' },
  { kind: 'buffer', chat: 'long-poll', notes: 'long-poll' },
  { kind: 'close-after', chat: 'websocket', notes: 'sse' },
];

describe('transport fallback through proxies that break WebSocket and streams', () => {
  for (const c of cases) {
    const name = `${c.kind}${c.refuseStatus ? ` (${c.refuseStatus})` : ''}`;
    it(`${name}: both services open on a working transport (chat ${c.chat}, notifications ${c.notes}); ${EVENTS} events and ${MESSAGES} messages arrive once, in order`, async () => {
      const server = await startServer();
      const proxy: BlockingProxy = await startBlockingProxy(server.url, c.kind, { closeAfterMs: CLOSE_AFTER_MS, refuseStatus: c.refuseStatus });
      const { injector, chat, notes } = services(proxy.url);
      const topic = `fb-${c.kind}-${c.refuseStatus ?? 0}`;
      const seen: RealtimeEvent[] = [];
      const subscription = notes.events$.subscribe((event) => seen.push(event));
      try {
        const room = chat.join(topic);
        const started = Date.now();
        let chatOpenMs = -1;
        let notesOpenMs = -1;
        chat.connect({ name: 'ada' });
        notes.connect(topic);
        await waitFor(() => {
          if (chatOpenMs < 0 && chat.state() === 'open') chatOpenMs = Date.now() - started;
          if (notesOpenMs < 0 && notes.state() === 'open') notesOpenMs = Date.now() - started;
          return chatOpenMs >= 0 && notesOpenMs >= 0;
        }, `both services open through ${name}`);
        openTimes.push(`${name}: chat ${chatOpenMs} ms via ${chat.transport()}, notifications ${notesOpenMs} ms via ${notes.transport()}`);
        expect(chat.transport()).toBe(c.chat);
        expect(notes.transport()).toBe(c.notes);
        await waitFor(() => room.joined(), 'the room joined');

        // Publish straight to the server (not through the proxy) while the messages go out through it,
        // spread over more than CLOSE_AFTER_MS so the close-after proxy cuts streams mid-run.
        const publishing = (async () => {
          const ids: string[] = [];
          for (let i = 0; i < EVENTS; i++) {
            ids.push(await publish(server.url, topic, { n: i }));
            if (i % 50 === 0) await sleep(CLOSE_AFTER_MS / 8);
          }
          return ids;
        })();
        for (let i = 0; i < MESSAGES; i++) {
          room.send(`m${i}`);
          await sleep((CLOSE_AFTER_MS * 1.3) / MESSAGES);
        }
        const ids = await publishing;

        await waitFor(
          () => seen.length >= EVENTS && room.messages().length >= MESSAGES && room.messages().every((m) => m.status === 'sent'),
          `all events and messages through ${name} (events ${seen.length}, messages ${room.messages().length})`,
          60_000,
        );
        expect(seen.map((event) => event.id)).toEqual(ids);
        expect(room.messages().map((m) => m.text)).toEqual(Array.from({ length: MESSAGES }, (_, i) => `m${i}`));
        expect(new Set(room.messages().map((m) => m.id)).size).toBe(MESSAGES);
        expect(proxy.interventions).toBeGreaterThan(0);
        if (c.kind === 'close-after') {
          // the streams were cut mid-run and resumed on their cursors
          expect(chat.transport() === null || chat.transport() === 'websocket').toBe(true);
        }
      } finally {
        subscription.unsubscribe();
        injector.destroy();
        await proxy.close();
        await server.close();
      }
    }, 120_000);
  }

  it('switches back to WebSocket and SSE once the proxy stops blocking, losing and repeating nothing', async () => {
    const server = await startServer();
    const proxy = await startBlockingProxy(server.url, 'buffer');
    const { injector, chat, notes } = services(proxy.url, 700);
    const topic = 'fb-upgrade';
    const seen: RealtimeEvent[] = [];
    const subscription = notes.events$.subscribe((event) => seen.push(event));
    try {
      const room = chat.join(topic);
      chat.connect({ name: 'bo' });
      notes.connect(topic);
      await waitFor(() => chat.state() === 'open' && notes.state() === 'open', 'both open through the buffering proxy');
      expect(chat.transport()).toBe('long-poll');
      expect(notes.transport()).toBe('long-poll');
      const seenTransports = { chat: new Set<string>(), notes: new Set<string>() };
      const ids: string[] = [];
      let sent = 0;
      const traffic = async (until: () => boolean) => {
        while (!until()) {
          ids.push(await publish(server.url, topic, { n: ids.length }));
          if (ids.length % 5 === 0) room.send(`m${sent++}`);
          seenTransports.chat.add(String(chat.transport()));
          seenTransports.notes.add(String(notes.transport()));
          await sleep(10);
        }
      };
      await traffic(() => ids.length >= 100);
      proxy.unblock();
      await traffic(() => (chat.transport() === 'websocket' && notes.transport() === 'sse') || ids.length > 3000);
      expect(chat.transport()).toBe('websocket');
      expect(notes.transport()).toBe('sse');
      const switchedAt = ids.length;
      await traffic(() => ids.length >= switchedAt + 200 && sent >= 40);
      await waitFor(
        () => seen.length >= ids.length && room.messages().length >= sent && room.messages().every((m) => m.status === 'sent'),
        `everything after the switch (events ${seen.length}/${ids.length}, messages ${room.messages().length}/${sent})`,
        60_000,
      );
      expect(seen.map((event) => event.id)).toEqual(ids);
      expect(room.messages().map((m) => m.text)).toEqual(Array.from({ length: sent }, (_, i) => `m${i}`));
      expect(seenTransports.chat.has('long-poll')).toBe(true);
    } finally {
      subscription.unsubscribe();
      injector.destroy();
      await proxy.close();
      await server.close();
    }
  }, 120_000);
});
