import type { EnvironmentInjector } from '@angular/core';
import WebSocket from 'ws';
import {
  ChatService,
  NotificationService,
  TabSharing,
  withBuffers,
  withTabSharing,
  withTransports,
  withWebSocket,
  ɵTAB_ENVIRONMENT,
  type ChatRoom,
  type RealtimeEvent,
  type RealtimeTransportKind,
} from 'ngx-realtime-signals';
import { createDemoServer } from '@demo-server/src/app';
import { loadConfig } from '@demo-server/src/config';
import { FakeBrowser } from '../tab-sharing/spec-support/fake-tabs';
import { startBlockingProxy, type BlockingProxyKind } from './blocking-proxy';
import { publish, realtimeInjector, waitFor } from './realtime-test-support';

/*
 * Tab sharing and transport fallback together: two tabs of one browser (fake Web Locks and
 * BroadcastChannel, as in the tab-sharing unit specs) with real services, a real demo-server
 * and the proxies of transport-fallback.int.spec.ts between them. The leader tab races the
 * transports for both; the follower shows what the leader chose.
 */

const EVENTS = 300;
const MESSAGES = 20;
/** The `close-after` proxy cuts every stream after this long (a real one waits 30 s). */
const CLOSE_AFTER_MS = 3000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Time to `open` through each proxy with tab sharing, printed once at the end (measured, not asserted). */
const openTimes: string[] = [];
afterAll(() => {
  if (openTimes.length > 0) process.stdout.write(`\ntime to open through each proxy, two tabs sharing:\n${openTimes.map((line) => `  ${line}`).join('\n')}\n`);
});

interface Tab {
  readonly name: string;
  readonly injector: EnvironmentInjector;
  readonly chat: ChatService;
  readonly notes: NotificationService;
  readonly sharing: TabSharing;
  readonly seen: RealtimeEvent[];
  room: ChatRoom | null;
  close(): void;
}

function openTab(browser: FakeBrowser, baseUrl: string, name: string, reprobeMs = 0): Tab {
  const injector = realtimeInjector(
    baseUrl,
    [ChatService, NotificationService],
    { initialDelayMs: 20, maxDelayMs: 200 },
    [{ provide: ɵTAB_ENVIRONMENT, useValue: browser.environment(name) }],
    [
      withWebSocket(WebSocket as unknown as typeof globalThis.WebSocket),
      withBuffers({ notifications: EVENTS * 4, messages: MESSAGES * 8 }),
      withTransports(['websocket', 'sse', 'long-poll'], { reprobeMs }),
      withTabSharing({ name: 'fallback' }),
    ],
  );
  const notes = injector.get(NotificationService);
  const seen: RealtimeEvent[] = [];
  const subscription = notes.events$.subscribe((event) => seen.push(event));
  return {
    name,
    injector,
    chat: injector.get(ChatService),
    notes,
    sharing: injector.get(TabSharing),
    seen,
    room: null,
    close: () => {
      subscription.unsubscribe();
      injector.destroy();
    },
  };
}

async function startServer() {
  const server = createDemoServer(
    loadConfig({ LOG_LEVEL: 'silent', DEMO_SCENARIO: 'off', SHUTDOWN_GRACE_MS: '300', WS_RATE_LIMIT: '100000', CHAT_POLL_SESSION_TIMEOUT_MS: '5000' }),
  );
  const url = await server.listen(0, '127.0.0.1');
  return { url, close: () => server.close() };
}

async function health(url: string): Promise<{ sse: number; longPoll: number; websocket: number }> {
  return ((await (await fetch(`${url}/api/health`)).json()) as { connections: { sse: number; longPoll: number; websocket: number } }).connections;
}

/** Two tabs, `a` leading and `b` following, both connected to `topic` (chat as the same user, so they share one chat connection). */
async function twoTabs(browser: FakeBrowser, url: string, topic: string, reprobeMs = 0): Promise<{ tabs: Tab[]; openMs: Record<string, number> }> {
  const a = openTab(browser, url, 'a', reprobeMs);
  await waitFor(() => a.sharing.sharing() === 'leader', 'tab a leading');
  const b = openTab(browser, url, 'b', reprobeMs);
  await waitFor(() => b.sharing.sharing() === 'follower', 'tab b following');
  const tabs = [a, b];
  const started = Date.now();
  const openMs: Record<string, number> = {};
  for (const tab of tabs) {
    tab.room = tab.chat.join(topic);
    tab.chat.connect({ name: 'ada' });
    tab.notes.connect(topic);
  }
  await waitFor(() => {
    for (const tab of tabs) {
      if (!(`${tab.name} chat` in openMs) && tab.chat.state() === 'open') openMs[`${tab.name} chat`] = Date.now() - started;
      if (!(`${tab.name} notes` in openMs) && tab.notes.state() === 'open') openMs[`${tab.name} notes`] = Date.now() - started;
    }
    return Object.keys(openMs).length === 4;
  }, 'both services open in both tabs');
  await waitFor(() => tabs.every((tab) => tab.room!.joined()), 'the room joined in both tabs');
  return { tabs, openMs };
}

/** Every tab shows `ids` once and in order, and the same chat messages (`sent` by text) once, in one order, all acknowledged. */
async function expectDelivered(tabs: Tab[], ids: string[], sent: Map<string, string[]>, what: string): Promise<void> {
  const total = [...sent.values()].reduce((n, texts) => n + texts.length, 0);
  await waitFor(
    () => tabs.every((tab) => tab.seen.length >= ids.length && tab.room!.messages().length >= total && tab.room!.messages().every((m) => m.status === 'sent')),
    `${what}: everything in every tab (${tabs.map((t) => `${t.name}: events ${t.seen.length}/${ids.length}, messages ${t.room!.messages().length}/${total}`).join('; ')})`,
    60_000,
  );
  const order = tabs[0].room!.messages().map((m) => m.id);
  for (const tab of tabs) {
    expect(tab.seen.map((event) => event.id)).toEqual(ids);
    const messages = tab.room!.messages();
    expect(messages.map((m) => m.id)).toEqual(order);
    expect(new Set(messages.map((m) => m.id)).size).toBe(total);
    // each tab's own messages went out in the order it sent them
    const mine = sent.get(tab.name) ?? [];
    expect(messages.map((m) => m.text).filter((text) => mine.includes(text))).toEqual(mine);
  }
}

/** Publishes `count` events straight to the server while every tab sends `messages` chat messages through the proxy. */
async function traffic(url: string, topic: string, tabs: Tab[], count: number, messages: number, spreadMs: number, sent: Map<string, string[]>): Promise<string[]> {
  const publishing = (async () => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(await publish(url, topic, { n: i }));
      if (i % 25 === 0) await sleep(spreadMs / (count / 25));
    }
    return ids;
  })();
  for (let i = 0; i < messages; i++) {
    for (const tab of tabs) {
      const text = `${tab.name}${i}`;
      tab.room!.send(text);
      sent.set(tab.name, [...(sent.get(tab.name) ?? []), text]);
    }
    await sleep(spreadMs / messages);
  }
  return publishing;
}

const cases: { kind: BlockingProxyKind; refuseStatus?: 400 | 403; chat: RealtimeTransportKind; notes: RealtimeTransportKind }[] = [
  { kind: 'refuse-upgrade', refuseStatus: 403, chat: 'sse', notes: 'sse' },
  { kind: 'drop-frames', chat: 'sse', notes: 'sse' },
  { kind: 'buffer', chat: 'long-poll', notes: 'long-poll' },
  { kind: 'close-after', chat: 'websocket', notes: 'sse' },
];

describe('transport fallback with tab sharing', () => {
  for (const c of cases) {
    const name = `${c.kind}${c.refuseStatus ? ` (${c.refuseStatus})` : ''}`;
    it(`${name}: the leader falls back for both tabs (chat ${c.chat}, notifications ${c.notes}), each tab shows it, and events and messages arrive once, in order, in both`, async () => {
      const server = await startServer();
      const proxy = await startBlockingProxy(server.url, c.kind, { closeAfterMs: CLOSE_AFTER_MS, refuseStatus: c.refuseStatus });
      const browser = new FakeBrowser();
      const topic = `tf-${c.kind}`;
      let tabs: Tab[] = [];
      try {
        const opened = await twoTabs(browser, proxy.url, topic);
        tabs = opened.tabs;
        const times = opened.openMs;
        openTimes.push(`${name}: chat ${times['a chat']} / ${times['b chat']} ms (leader / follower) via ${tabs[0].chat.transport()}, notifications ${times['a notes']} / ${times['b notes']} ms via ${tabs[0].notes.transport()}`);
        for (const tab of tabs) {
          expect([tab.name, tab.chat.transport(), tab.notes.transport()]).toEqual([tab.name, c.chat, c.notes]);
        }
        if (c.kind === 'refuse-upgrade') {
          // one chat stream and one notification stream for both tabs, no socket
          let seen = await health(server.url);
          for (let i = 0; i < 100 && !(seen.sse === 2 && seen.websocket === 0); i++) {
            await sleep(100);
            seen = await health(server.url);
          }
          expect(seen).toMatchObject({ sse: 2, websocket: 0 });
        }

        const sent = new Map<string, string[]>();
        const ids = await traffic(server.url, topic, tabs, EVENTS, MESSAGES, CLOSE_AFTER_MS * 1.3, sent);
        await expectDelivered(tabs, ids, sent, name);
        expect(proxy.interventions).toBeGreaterThan(0);
      } finally {
        for (const tab of tabs) tab.close();
        await proxy.close();
        await server.close();
      }
    }, 120_000);
  }

  it('switches both tabs back to WebSocket and SSE once the proxy stops blocking, losing and repeating nothing, every outbox carried over', async () => {
    const server = await startServer();
    const proxy = await startBlockingProxy(server.url, 'buffer');
    const browser = new FakeBrowser();
    const topic = 'tf-upgrade';
    let tabs: Tab[] = [];
    try {
      tabs = (await twoTabs(browser, proxy.url, topic, 700)).tabs;
      for (const tab of tabs) expect([tab.chat.transport(), tab.notes.transport()]).toEqual(['long-poll', 'long-poll']);
      const sent = new Map<string, string[]>();
      const ids = await traffic(server.url, topic, tabs, 100, 5, 500, sent);
      const seenChat = new Set<string>();
      proxy.unblock();
      let more = 0;
      while (!tabs.every((tab) => tab.chat.transport() === 'websocket' && tab.notes.transport() === 'sse') && ids.length < 3000) {
        ids.push(await publish(server.url, topic, { n: ids.length }));
        if (ids.length % 10 === 0) {
          for (const tab of tabs) {
            const text = `${tab.name}-up${more}`;
            tab.room!.send(text);
            sent.set(tab.name, [...(sent.get(tab.name) ?? []), text]);
          }
          more++;
        }
        for (const tab of tabs) seenChat.add(String(tab.chat.transport()));
        await sleep(10);
      }
      for (const tab of tabs) expect([tab.name, tab.chat.transport(), tab.notes.transport()]).toEqual([tab.name, 'websocket', 'sse']);
      ids.push(...(await traffic(server.url, topic, tabs, 100, 5, 500, sent)));
      await expectDelivered(tabs, ids, sent, 'after the upgrade');
      expect(seenChat.has('long-poll')).toBe(true);
    } finally {
      for (const tab of tabs) tab.close();
      await proxy.close();
      await server.close();
    }
  }, 120_000);

  it('when the leader closes mid-fallback, the follower takes over, races on its own and loses nothing', async () => {
    const server = await startServer();
    const proxy = await startBlockingProxy(server.url, 'refuse-upgrade');
    const browser = new FakeBrowser();
    const topic = 'tf-handover';
    let tabs: Tab[] = [];
    try {
      tabs = (await twoTabs(browser, proxy.url, topic)).tabs;
      const [a, b] = tabs;
      for (const tab of tabs) expect([tab.chat.transport(), tab.notes.transport()]).toEqual(['sse', 'sse']);
      const sent = new Map<string, string[]>();
      const ids: string[] = [];
      for (let i = 0; i < 50; i++) ids.push(await publish(server.url, topic, { n: i }));
      const handedOver = (async () => {
        await sleep(100);
        // the page goes away as a closing tab's does: it hands its unacknowledged sends over, then stops
        browser.pageEvents.get('a')!.dispatchEvent(Object.assign(new Event('pagehide'), { persisted: false }));
        a.close();
      })();
      for (let i = 0; i < 200; i++) {
        ids.push(await publish(server.url, topic, { n: 50 + i }));
        if (i % 20 === 0) {
          const text = `b${i / 20}`;
          b.room!.send(text);
          sent.set('b', [...(sent.get('b') ?? []), text]);
        }
        if (i % 20 === 0) await sleep(30);
      }
      await handedOver;
      tabs = [b];
      await waitFor(() => b.sharing.sharing() === 'leader', 'tab b leading');
      await waitFor(() => b.chat.state() === 'open' && b.notes.state() === 'open', 'tab b open again');
      // the new leader raced on its own (starting with the winner this page remembers) and relays its choice
      expect([b.chat.transport(), b.notes.transport()]).toEqual(['sse', 'sse']);
      for (let i = 0; i < 50; i++) ids.push(await publish(server.url, topic, { n: 250 + i }));
      await expectDelivered([b], ids, sent, 'after the hand-over');
    } finally {
      for (const tab of tabs) tab.close();
      await proxy.close();
      await server.close();
    }
  }, 120_000);
});
