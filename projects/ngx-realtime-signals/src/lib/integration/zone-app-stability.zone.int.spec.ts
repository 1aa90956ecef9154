import '@angular/compiler';
import { ApplicationRef, Component, NgZone, inject, provideZoneChangeDetection, ɵNoopNgZone as NoopNgZone } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import path from 'node:path';
import { filter, firstValueFrom, map, merge, timer } from 'rxjs';
import WebSocket from 'ws';
import {
  ChatService,
  LongPollService,
  NotificationService,
  provideRealtime,
  withFetch,
  withReconnect,
  withWebSocket,
} from 'ngx-realtime-signals';
import { runScript, type RunningScript } from '@demo-server/test/support/process';
import { publish, waitFor } from './realtime-test-support';

/** "A few seconds": the chat watchdog (90 s) and ping (10 s) timers are far longer, so a leak cannot hide in it. */
const STABLE_WITHIN_MS = 5000;
const DEMO_SERVER_MAIN = path.resolve(__dirname, '../../../../../demo-server/src/main.ts');

/**
 * The `ws` WebSocket with a browser's zone.js semantics. zone.js patches a browser
 * WebSocket's `addEventListener`, so each listener runs in the zone it was added in;
 * `ws` is a Node EventEmitter, which zone.js's browser build leaves alone.
 */
class BrowserZoneWebSocket extends WebSocket {
  override addEventListener(...args: Parameters<WebSocket['addEventListener']>): void {
    const [type, listener, options] = args;
    const wrapped = Zone.current.wrap(listener as (...a: unknown[]) => unknown, `WebSocket.addEventListener:${type}`);
    super.addEventListener(type, wrapped as typeof listener, options);
  }
}

/** The README's three services in one component of a zone.js application. */
@Component({
  selector: 'app-root',
  template: `
    <p id="notes">{{ notes.state() }} @for (n of notes.notifications(); track n.id) {[{{ n.data.text }}]}</p>
    <p id="orders">{{ orders.state() }} [{{ orders.latest()?.data?.status }}]</p>
    <p id="chat">{{ chat.state() }} as {{ chat.user() }} @for (m of lobby.messages(); track m.clientId ?? m.id) {[{{ m.from }}: {{ m.text }} ({{ m.status }})]}</p>
  `,
})
class Dashboard {
  readonly notes = inject(NotificationService<{ text: string }>);
  readonly orders = inject(LongPollService).watch<{ status: string }>('orders');
  readonly chat = inject(ChatService);
  readonly lobby = this.chat.join('lobby');

  constructor() {
    this.notes.connect('news');
    this.chat.connect({ name: 'ada' });
  }
}

/** What keeps the Angular zone busy, each with the first library frame that scheduled it (zone.js task tracking). */
function pendingInAngularZone(zone: NgZone): string {
  const tracking = (zone as unknown as { _inner: Zone })._inner.get('TaskTrackingZone') as
    | { macroTasks: { source: string; creationLocation?: Error }[] }
    | undefined;
  if (!tracking) return 'unknown (task tracking is not loaded)';
  const tasks = tracking.macroTasks.map((task) => {
    const frame = task.creationLocation?.stack?.split('\n').find((line) => line.includes('ngx-realtime-signals/src/lib'));
    return `${task.source}${frame ? ` from ${frame.trim()}` : ''}`;
  });
  return tasks.length ? tasks.join('; ') : 'no macrotasks';
}

async function expectStable(appRef: ApplicationRef, zone: NgZone, when: string): Promise<void> {
  const stable = await firstValueFrom(
    merge(appRef.isStable.pipe(filter(Boolean)), timer(STABLE_WITHIN_MS).pipe(map(() => false))),
  );
  if (!stable) {
    throw new Error(
      `ApplicationRef.isStable did not emit true within ${STABLE_WITHIN_MS} ms ${when}; pending in the Angular zone: ${pendingInAngularZone(zone)}`,
    );
  }
}

/** A second chat user on a plain socket, so the app receives a message it did not send. */
async function peer(baseUrl: string, room: string): Promise<{ send(text: string): void; close(): void }> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/chat?name=bob`);
  const frames: { type: string; room?: string }[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'join', room }));
  await waitFor(() => frames.some((f) => f.type === 'joined' && f.room === room), 'the peer to join');
  let n = 0;
  return {
    send: (text) => socket.send(JSON.stringify({ type: 'send', room, clientId: `bob-${++n}`, text })),
    close: () => socket.close(),
  };
}

describe('a zone.js application using all three services', () => {
  let server: RunningScript | null = null;
  let appRef: ApplicationRef | null = null;
  let bob: { close(): void } | null = null;

  afterEach(async () => {
    bob?.close();
    appRef?.destroy();
    if (server) {
      server.child.kill('SIGTERM');
      await server.exit;
    }
    server = appRef = bob = null;
  });

  it('becomes stable with every connection open, and again after events arrive on each transport', async () => {
    server = runScript(DEMO_SERVER_MAIN, [], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DEMO_SCENARIO: 'off' });
    await waitFor(() => /listening on http:\/\/\S+/.test(server!.stdout()), 'the demo-server to listen');
    const url = /listening on (http:\/\/\S+)/.exec(server.stdout())![1];

    document.body.innerHTML = '<app-root></app-root>';
    appRef = await bootstrapApplication(Dashboard, {
      providers: [
        provideZoneChangeDetection(),
        provideRealtime(
          { baseUrl: `${url}/api` },
          withFetch(globalThis.fetch),
          withWebSocket(BrowserZoneWebSocket as unknown as typeof globalThis.WebSocket),
          withReconnect({ initialDelayMs: 50, maxDelayMs: 200 }),
        ),
      ],
    });
    const zone = appRef.injector.get(NgZone);
    expect(zone).not.toBeInstanceOf(NoopNgZone);
    expect(NgZone.isInAngularZone()).toBe(false);
    const app = appRef.components[0].instance as Dashboard;
    const text = (id: string) => document.getElementById(id)?.textContent ?? '';

    await waitFor(
      () => app.notes.connected() && app.orders.connected() && app.chat.connected() && app.lobby.joined(),
      'all three connections to open',
    );
    await expectStable(appRef, zone, 'with every connection open');
    expect([app.notes.state(), app.orders.state(), app.chat.state()]).toEqual(['open', 'open', 'open']);

    bob = await peer(url, 'lobby');
    await publish(url, 'news', { text: 'first note' });
    await publish(url, 'orders', { status: 'shipped' });
    (bob as Awaited<ReturnType<typeof peer>>).send('hello from bob');
    zone.run(() => app.lobby.send('hello from ada'));

    // rendered by the app's own change detection: events were handed over inside the Angular zone
    await waitFor(
      () =>
        text('notes').includes('[first note]') &&
        text('orders').includes('[shipped]') &&
        text('chat').includes('[bob: hello from bob (sent)]') &&
        text('chat').includes('[ada: hello from ada (sent)]'),
      'the events of all three transports to be rendered',
    );
    await expectStable(appRef, zone, 'after events arrived on each transport');
    expect([app.notes.state(), app.orders.state(), app.chat.state()]).toEqual(['open', 'open', 'open']);
  });
});
