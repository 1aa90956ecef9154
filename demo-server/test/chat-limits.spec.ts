import type { Metrics } from 'ngx-realtime-signals-server';
import { ChatTestClient, waitFor } from './support/chat-client';
import { startChatServer, type ChatTestServer } from './support/chat-server';

// Socket round trips on a loaded machine: leave room above the waits in support/chat-client.ts.
jest.setTimeout(30_000);

async function dropped(metrics: Metrics, reason: string): Promise<number> {
  const { values } = await metrics.droppedConnections.get();
  return values.find((v) => v.labels.transport === 'websocket' && v.labels.reason === reason)?.value ?? 0;
}

describe('chat limits', () => {
  const servers: ChatTestServer[] = [];
  const clients: ChatTestClient[] = [];
  const start = async (env: Record<string, string>): Promise<ChatTestServer> => {
    const server = await startChatServer(env);
    servers.push(server);
    return server;
  };
  const connect = async (server: ChatTestServer, query = '', options = {}): Promise<ChatTestClient> => {
    const client = await ChatTestClient.connect(server.wsUrl + query, options);
    clients.push(client);
    return client;
  };

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('closes with 1009 on a frame larger than WS_MAX_PAYLOAD_BYTES', async () => {
    const server = await start({ WS_MAX_PAYLOAD_BYTES: '1024' });
    const client = await connect(server);
    await client.join('lobby');
    client.send({ type: 'send', room: 'lobby', clientId: 'ok', text: 'x'.repeat(900) });
    await client.next('ack');
    client.send({ type: 'send', room: 'lobby', clientId: 'big', text: 'x'.repeat(2000) });
    expect((await client.closed).code).toBe(1009);
    expect(server.log.retainedCount('chat:lobby')).toBe(1);
    await waitFor(async () => (await server.connectionCount()) === 0, 'the connection to be released');
    expect(await dropped(server.metrics, 'payload_too_large')).toBe(1);
  });

  it('closes with 1008 when a connection sends more than WS_RATE_LIMIT frames per window', async () => {
    const server = await start({ WS_RATE_LIMIT: '20', WS_RATE_WINDOW_MS: '600000' });
    const flooder = await connect(server);
    const bystander = await connect(server);
    for (let i = 0; i < 60; i++) flooder.send({ type: 'ping', t: i });
    const closed = await flooder.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toBe('rate limit exceeded');
    expect(flooder.all('pong').length).toBeLessThanOrEqual(20);
    expect(await dropped(server.metrics, 'rate_limit')).toBe(1);
    bystander.send({ type: 'ping', t: 'still fine' });
    expect(await bystander.next('pong')).toEqual({ type: 'pong', t: 'still fine' });
  });

  it('allows WS_RATE_LIMIT frames per window without closing', async () => {
    const server = await start({ WS_RATE_LIMIT: '20', WS_RATE_WINDOW_MS: '600000' });
    const client = await connect(server);
    for (let i = 0; i < 19; i++) client.send({ type: 'ping', t: i });
    await client.nth(19, 'pong');
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it('terminates a peer that does not answer pings, and keeps one that does', async () => {
    // Generous enough that the lively peer's pong is never late on a loaded machine.
    const server = await start({ WS_HEARTBEAT_MS: '250' });
    const silent = await connect(server, '?name=silent', { autoPong: false });
    const lively = await connect(server, '?name=lively');
    await silent.join('lobby');
    await lively.join('lobby');
    let pingsAtLively = 0;
    lively.socket.on('ping', () => pingsAtLively++);

    const closed = await silent.closed;
    expect(closed.code).toBe(1006);
    expect(await dropped(server.metrics, 'heartbeat')).toBe(1);
    await waitFor(() => pingsAtLively >= 3, 'several heartbeats at the lively peer');
    expect(lively.socket.readyState).toBe(lively.socket.OPEN);
    // The dropped peer is gone from the room too.
    await waitFor(async () => (await server.connectionCount()) === 1, 'the silent peer to be released');
    const carol = await connect(server, '?name=carol');
    const joined = await carol.join('lobby');
    expect(joined.members).toEqual(['lively', 'carol']);
    expect(joined.count).toBe(2);
  });

  it('terminates a consumer whose unsent buffer passes MAX_BUFFERED_BYTES and keeps serving the others', async () => {
    const server = await start({ MAX_BUFFERED_BYTES: '65536', HISTORY_LIMIT: '100' });
    const slow = await connect(server, '?name=slow');
    const fast = await connect(server, '?name=fast');
    await slow.join('feed');
    await fast.join('feed');
    slow.socket.pause();

    // Far more than the kernel socket buffers can absorb for a reader that never reads.
    const payload = 'x'.repeat(60_000);
    let appended = 0;
    while ((await dropped(server.metrics, 'slow_consumer')) === 0 && appended < 2000) {
      await server.log.append('chat:feed', 'bulk', { payload });
      appended++;
      if (appended % 20 === 0) await fast.nth(appended, 'message');
    }
    expect(await dropped(server.metrics, 'slow_consumer')).toBe(1);
    await waitFor(async () => (await server.connectionCount()) === 1, 'the slow consumer to be released');

    const last = await server.log.append('chat:feed', 'bulk', { payload: 'end' });
    await fast.next('message', (frame) => frame.event.id === last.id);
    expect(fast.all('message')).toHaveLength(appended + 1);
    slow.socket.resume();
    expect((await slow.closed).code).toBe(1006);
  });

  it('closes every socket with 1001 when the server shuts down, and releases every room', async () => {
    const server = await start({});
    const ada = await connect(server);
    const bob = await connect(server);
    await ada.join('lobby');
    await bob.join('lobby');
    await server.close();
    expect(await ada.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(await bob.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(await server.connectionCount()).toBe(0);
    expect(server.log.listenerCount()).toBe(0);
  });
});
