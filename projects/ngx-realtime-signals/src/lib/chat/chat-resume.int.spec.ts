import type { EnvironmentInjector } from '@angular/core';
import WebSocket from 'ws';
import { ChatService, withWebSocket, type ChatRoom } from 'ngx-realtime-signals';
import { startServer, type StartedServer } from '@demo-server/test/support/server';
import { startPausableProxy, type PausableProxy } from '../integration/pausable-proxy';
import { realtimeInjector, waitFor } from '../integration/realtime-test-support';

/** More than the server's `joined.history` without `since` (CHAT_JOIN_HISTORY, 50). */
const MISSED = 70;

describe('ChatService resuming a room joined while it was empty', () => {
  let server: StartedServer;
  let proxy: PausableProxy;
  const injectors: EnvironmentInjector[] = [];

  beforeEach(async () => {
    server = await startServer();
    proxy = await startPausableProxy(server.url);
  });
  afterEach(async () => {
    for (const injector of injectors.splice(0)) injector.destroy();
    await proxy.close();
    await server.close();
  });

  function chat(baseUrl: string, name: string): ChatService {
    const injector = realtimeInjector(baseUrl, [ChatService], undefined, [], [
      withWebSocket(WebSocket as unknown as typeof globalThis.WebSocket),
    ]);
    injectors.push(injector);
    const service = injector.get(ChatService);
    service.connect({ name });
    return service;
  }

  const sentTexts = (room: ChatRoom) => room.messages().filter((m) => m.status === 'sent').map((m) => m.text);

  it('receives every message sent while it was away, once and in order', async () => {
    const ada = chat(proxy.url, 'ada');
    const adaRoom = ada.join('backlog');
    await waitFor(() => adaRoom.joined(), 'ada to join the empty room');
    expect(adaRoom.messages()).toEqual([]);

    proxy.pause();
    await waitFor(() => ada.state() === 'reconnecting', 'ada to lose the connection');

    const bob = chat(server.url, 'bob');
    const bobRoom = bob.join('backlog');
    await waitFor(() => bobRoom.joined(), 'bob to join');
    const expected = Array.from({ length: MISSED }, (_, i) => `missed ${i}`);
    for (const text of expected) bobRoom.send(text);
    await waitFor(() => sentTexts(bobRoom).length === MISSED, 'every message of bob to be acknowledged');

    proxy.resume();
    ada.retryNow();
    await waitFor(() => adaRoom.joined() && adaRoom.messages().length >= MISSED, 'ada to catch up');
    expect(adaRoom.messages().map((m) => m.text)).toEqual(expected);
    expect(new Set(adaRoom.messages().map((m) => m.id)).size).toBe(MISSED);
    expect(ada.gap()).toBeNull();
  });
});
