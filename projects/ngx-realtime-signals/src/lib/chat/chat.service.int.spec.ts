import type { EnvironmentInjector } from '@angular/core';
import WebSocket from 'ws';
import {
  ChatService,
  withWebSocket,
  type ChatMessage,
  type ChatRoom,
} from 'ngx-realtime-signals';
import { createDemoServer, type DemoServer } from '@demo-server/src/app';
import { loadConfig } from '@demo-server/src/config';
import { realtimeInjector } from '../integration/realtime-test-support';

const WAIT_MS = 20_000;

/** A ChatService in its own injector, wired like an app: provideRealtime + the `ws` WebSocket + fetch. */
function chatService(baseUrl: string): { chat: ChatService; injector: EnvironmentInjector } {
  const injector = realtimeInjector(baseUrl, [ChatService], { initialDelayMs: 50, maxDelayMs: 400 }, [], [
    withWebSocket(WebSocket as unknown as typeof globalThis.WebSocket),
  ]);
  return { chat: injector.get(ChatService), injector };
}

async function startDemoServer(env: Record<string, string> = {}, port = 0): Promise<{ server: DemoServer; url: string }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', DEMO_SCENARIO: 'off', SHUTDOWN_GRACE_MS: '500', ...env });
  const server = createDemoServer(config);
  const url = await server.listen(port, '127.0.0.1');
  return { server, url };
}

/** Re-checks `condition` until it holds; fails with `describe()` after WAIT_MS. */
async function waitFor(condition: () => boolean | Promise<boolean>, describe: () => unknown): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met in time: ${JSON.stringify(describe(), null, 1)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const texts = (room: ChatRoom) => room.messages().map((m) => m.text);
const settled = (room: ChatRoom, count: number) =>
  room.messages().length === count && room.messages().every((m: ChatMessage) => m.status === 'sent');

describe('ChatService against the demo-server', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function client(baseUrl: string) {
    const created = chatService(baseUrl);
    cleanups.push(() => created.injector.destroy());
    return created.chat;
  }

  it('shows every message once and in the same order to two clients in a room', async () => {
    const { server, url } = await startDemoServer();
    cleanups.push(() => server.close());
    const ada = client(url);
    const bob = client(url);
    const adaRoom = ada.join('lobby');
    const bobRoom = bob.join('lobby');
    ada.connect({ name: 'ada' });
    bob.connect({ name: 'bob' });
    await waitFor(() => adaRoom.joined() && bobRoom.joined(), () => [ada.state(), bob.state()]);
    expect(ada.user()).toBe('ada');

    for (let i = 0; i < 5; i++) {
      adaRoom.send(`a${i}`);
      bobRoom.send(`b${i}`);
    }
    await waitFor(() => settled(adaRoom, 10) && settled(bobRoom, 10), () => [texts(adaRoom), texts(bobRoom)]);

    const ids = (room: ChatRoom) => room.messages().map((m) => m.id);
    expect(ids(adaRoom)).toEqual(ids(bobRoom));
    expect(new Set(ids(adaRoom)).size).toBe(10);
    expect(texts(adaRoom).filter((t) => t.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(texts(adaRoom).filter((t) => t.startsWith('b'))).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    expect(adaRoom.messages().filter((m) => m.mine).map((m) => m.text)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(ada.latencyMs()).not.toBeNull();
  });

  it('tracks presence and typing of the other members', async () => {
    const { server, url } = await startDemoServer();
    cleanups.push(() => server.close());
    const ada = client(url);
    const bob = client(url);
    const adaRoom = ada.join('lobby');
    ada.connect({ name: 'ada' });
    await waitFor(() => adaRoom.joined(), () => ada.state());
    const bobRoom = bob.join('lobby');
    bob.connect({ name: 'bob' });

    await waitFor(() => adaRoom.members().includes('bob'), () => adaRoom.members());
    expect(adaRoom.memberCount()).toBe(2);
    expect(bobRoom.members()).toEqual(expect.arrayContaining(['ada', 'bob']));

    bobRoom.setTyping();
    await waitFor(() => adaRoom.typing().includes('bob'), () => adaRoom.typing());

    bobRoom.leave();
    await waitFor(() => !adaRoom.members().includes('bob'), () => adaRoom.members());
    expect(adaRoom.memberCount()).toBe(1);
    expect(bob.rooms()).toEqual([]);
    expect(bob.join('lobby')).not.toBe(bobRoom);
  });

  it('delivers a message sent while the server is down exactly once after it comes back', async () => {
    const first = await startDemoServer();
    const port = Number(new URL(first.url).port);
    const ada = client(first.url);
    const bob = client(first.url);
    const adaRoom = ada.join('lobby');
    const bobRoom = bob.join('lobby');
    ada.connect({ name: 'ada' });
    bob.connect({ name: 'bob' });
    await waitFor(() => adaRoom.joined() && bobRoom.joined(), () => [ada.state(), bob.state()]);
    adaRoom.send('before');
    await waitFor(() => settled(adaRoom, 1) && texts(bobRoom).includes('before'), () => texts(bobRoom));

    await first.server.close();
    await waitFor(() => ada.state() === 'reconnecting' && bob.state() === 'reconnecting', () => [ada.state(), bob.state()]);
    const offline = adaRoom.send('while down');
    expect(offline.status).toBe('pending');

    const second = await startDemoServer({}, port);
    cleanups.push(() => second.server.close());
    await waitFor(
      () => settled(adaRoom, 2) && texts(bobRoom).includes('while down'),
      () => [ada.state(), bob.state(), adaRoom.messages(), texts(bobRoom)],
    );
    expect(texts(adaRoom)).toEqual(['before', 'while down']);
    expect(texts(bobRoom)).toEqual(['before', 'while down']);
    // the new server forgot the history: both rooms learn that they may have missed something
    expect(bobRoom.gap?.()).not.toBeNull();
  });

  it('fails without retrying when the server closes with 1008 for flooding it', async () => {
    const { server, url } = await startDemoServer({ WS_RATE_LIMIT: '6' });
    cleanups.push(() => server.close());
    const chat = client(url);
    const room = chat.join('lobby');
    chat.connect();
    await waitFor(() => room.joined(), () => chat.state());
    for (let i = 0; i < 10; i++) room.send(`m${i}`);

    await waitFor(() => chat.state() === 'failed', () => [chat.state(), chat.lastError()]);
    expect(chat.lastError()).toEqual(expect.objectContaining({ code: 'socket_closed', retryable: false }));
    expect(chat.lastError()!.message).toContain('1008');
  });

  it('closes the socket when its injector is destroyed', async () => {
    const { server, url } = await startDemoServer();
    cleanups.push(() => server.close());
    const { chat, injector } = chatService(url);
    const room = chat.join('lobby');
    chat.connect();
    await waitFor(() => room.joined(), () => chat.state());
    const openSockets = async () =>
      ((await (await fetch(`${url}/api/health`)).json()) as { connections: { websocket: number } }).connections.websocket;
    expect(await openSockets()).toBe(1);

    injector.destroy();
    expect(chat.state()).toBe('closed');
    let count = 1;
    await waitFor(async () => (count = await openSockets()) === 0, () => count);
  });
});
