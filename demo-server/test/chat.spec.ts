import http from 'node:http';
import { ChatTestClient, waitFor } from './support/chat-client';
import { startChatServer, type ChatTestServer } from './support/chat-server';

// Socket round trips on a loaded machine: leave room above the waits in support/chat-client.ts.
jest.setTimeout(30_000);

describe('WebSocket chat', () => {
  let server: ChatTestServer;
  const clients: ChatTestClient[] = [];
  const connect = async (query = ''): Promise<ChatTestClient> => {
    const client = await ChatTestClient.connect(server.wsUrl + query);
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    server = await startChatServer({ CHAT_JOIN_HISTORY: '5' });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server.close();
  });

  it('welcomes a connection with its id, user and heartbeat interval', async () => {
    const ada = await connect('?name=Ada%20L');
    expect(ada.welcome).toEqual({
      type: 'welcome',
      connectionId: expect.any(String),
      user: 'Ada L',
      heartbeatMs: server.config.wsHeartbeatMs,
    });
    const guest = await connect();
    expect(guest.welcome.user).toMatch(/^guest-/);
    expect(guest.welcome.connectionId).not.toBe(ada.welcome.connectionId);
  });

  it('refuses a bad name with HTTP 400 JSON before the upgrade', async () => {
    const port = new URL(server.wsUrl).port;
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        path: '/api/chat?name=%3Cb%3E',
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'invalid_name', message: expect.any(String) } });
    expect(await server.connectionCount()).toBe(0);
  });

  it('joins an empty room, sends, and acks with the id of the logged event', async () => {
    const ada = await connect('?name=ada');
    const joined = await ada.join('lobby');
    const head = await server.log.head('chat:lobby');
    expect(joined).toEqual({ type: 'joined', room: 'lobby', members: ['ada'], count: 1, history: [], cursor: head });
    const ack = await ada.say('lobby', 'c-1', 'hello');
    expect(ack).toEqual({ type: 'ack', clientId: 'c-1', id: expect.any(String) });
    const logged = await server.log.last('chat:lobby', 10);
    expect(logged).toEqual([
      { id: ack.id, topic: 'chat:lobby', type: 'message', data: { text: 'hello', from: 'ada', clientId: 'c-1' }, ts: expect.any(Number) },
    ]);
  });

  it('delivers a message exactly once to the sender and to every other member', async () => {
    const ada = await connect('?name=ada');
    const bob = await connect('?name=bob');
    const eve = await connect('?name=eve');
    await ada.join('lobby');
    await bob.join('lobby');
    await eve.join('elsewhere');
    const ack = await ada.say('lobby', 'c-1', 'hi bob');
    const atBob = await bob.next('message');
    const atAda = await ada.next('message');
    expect(atBob).toEqual({
      type: 'message',
      room: 'lobby',
      event: { id: ack.id, topic: 'chat:lobby', type: 'message', data: { text: 'hi bob', from: 'ada', clientId: 'c-1' }, ts: expect.any(Number) },
    });
    expect(atAda).toEqual(atBob);
    await Promise.all([ada.sync(), bob.sync(), eve.sync()]);
    expect(ada.all('message')).toHaveLength(1);
    expect(bob.all('message')).toHaveLength(1);
    expect(eve.all('message')).toHaveLength(0);
  });

  it('sets data.from from the connection, whatever the frame claims', async () => {
    const mallory = await connect('?name=mallory');
    await mallory.join('lobby');
    mallory.send({ type: 'send', room: 'lobby', clientId: 'c-1', text: 'trust me', from: 'admin', data: { from: 'admin' } });
    const message = await mallory.next('message');
    expect(message.event.data).toEqual({ text: 'trust me', from: 'mallory', clientId: 'c-1' });
  });

  it('acks a retried send with the same id without appending or broadcasting it again', async () => {
    const ada = await connect('?name=ada');
    const bob = await connect('?name=bob');
    await ada.join('lobby');
    await bob.join('lobby');
    const first = await ada.say('lobby', 'c-1', 'once');
    const retry = await ada.say('lobby', 'c-1', 'once');
    expect(retry.id).toBe(first.id);

    // The retry from a fresh connection (after a reconnect) is recognised too.
    const adaAgain = await connect('?name=ada');
    await adaAgain.join('lobby');
    const fromNewConnection = await adaAgain.say('lobby', 'c-1', 'once');
    expect(fromNewConnection.id).toBe(first.id);

    await Promise.all([ada.sync(), bob.sync(), adaAgain.sync()]);
    expect(bob.all('message')).toHaveLength(1);
    expect(ada.all('message')).toHaveLength(1);
    expect(adaAgain.all('message')).toHaveLength(0);
    expect(await server.log.last('chat:lobby', 10)).toHaveLength(1);
  });

  it('acks concurrent duplicate sends once with one id', async () => {
    const ada = await connect('?name=ada');
    const bob = await connect('?name=bob');
    await ada.join('lobby');
    await bob.join('lobby');
    for (let i = 0; i < 5; i++) ada.send({ type: 'send', room: 'lobby', clientId: 'same', text: 'burst' });
    bob.send({ type: 'send', room: 'lobby', clientId: 'same', text: 'burst' });
    const acks = await ada.nth(5, 'ack');
    await bob.next('ack');
    expect(new Set([...ada.all('ack'), ...bob.all('ack')].map((ack) => ack.id))).toEqual(new Set([acks.id]));
    expect(await server.log.last('chat:lobby', 10)).toHaveLength(1);
  });

  it('gives a joiner the last CHAT_JOIN_HISTORY messages when it has no cursor', async () => {
    const ada = await connect('?name=ada');
    await ada.join('lobby');
    for (let i = 1; i <= 8; i++) await ada.say('lobby', `c-${i}`, `m${i}`);
    const bob = await connect('?name=bob');
    const joined = await bob.join('lobby');
    expect(joined.history.map((event: any) => event.data.text)).toEqual(['m4', 'm5', 'm6', 'm7', 'm8']);
    expect(joined.reset).toBeUndefined();
    expect(joined.members).toEqual(['ada', 'bob']);
    expect(joined.count).toBe(2);
  });

  it('gives a rejoin with since exactly the messages it missed, then live ones', async () => {
    const ada = await connect('?name=ada');
    await ada.join('lobby');
    const bob = await connect('?name=bob');
    await bob.join('lobby');
    const seen = await ada.say('lobby', 'c-1', 'seen');
    await bob.next('message', (m) => m.event.id === seen.id);
    await bob.close();
    for (let i = 2; i <= 9; i++) await ada.say('lobby', `c-${i}`, `missed ${i}`);

    const bobAgain = await connect('?name=bob');
    const joined = await bobAgain.join('lobby', seen.id);
    expect(joined.reset).toBeUndefined();
    expect(joined.history.map((event: any) => event.data.text)).toEqual(
      [2, 3, 4, 5, 6, 7, 8, 9].map((i) => `missed ${i}`),
    );
    const live = await ada.say('lobby', 'c-10', 'live');
    const message = await bobAgain.next('message');
    expect(message.event.id).toBe(live.id);
    await bobAgain.sync();
    expect(bobAgain.all('message')).toHaveLength(1);
  });

  it('gives a join with the head as since an empty history', async () => {
    const ada = await connect('?name=ada');
    await ada.join('lobby');
    const last = await ada.say('lobby', 'c-1', 'x');
    const bob = await connect('?name=bob');
    expect((await bob.join('lobby', last.id)).history).toEqual([]);
  });

  it('gives a join with an empty history the room head as cursor, so a re-join from it misses nothing', async () => {
    const ada = await connect('?name=ada');
    const joined = await ada.join('quiet');
    expect(joined.history).toEqual([]);
    expect(joined.cursor).toBe(await server.log.head('chat:quiet'));
    await ada.close();
    // More than CHAT_JOIN_HISTORY (5) messages while ada is away.
    const bob = await connect('?name=bob');
    await bob.join('quiet');
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await bob.say('quiet', `b-${i}`, `m${i}`)).id);
    const back = await connect('?name=ada');
    const rejoined = await back.join('quiet', joined.cursor);
    expect(rejoined.reset).toBeUndefined();
    expect(rejoined.history.map((event: { id: string }) => event.id)).toEqual(ids);
    expect(rejoined.cursor).toBe(ids[7]);
  });

  it('answers a join whose since is a gap with reset and the last CHAT_JOIN_HISTORY messages', async () => {
    const small = await startChatServer({ HISTORY_LIMIT: '10', CHAT_JOIN_HISTORY: '3' });
    const ada = await ChatTestClient.connect(small.wsUrl + '?name=ada');
    const bob = await ChatTestClient.connect(small.wsUrl + '?name=bob');
    try {
      await ada.join('lobby');
      const first = await ada.say('lobby', 'c-0', 'm0');
      for (let i = 1; i <= 30; i++) await ada.say('lobby', `c-${i}`, `m${i}`);
      const joined = await bob.join('lobby', first.id);
      expect(joined.reset).toBe(true);
      expect(joined.history.map((event: any) => event.data.text)).toEqual(['m28', 'm29', 'm30']);

      // A cursor from an earlier process is a gap as well.
      const carol = await ChatTestClient.connect(small.wsUrl + '?name=carol');
      const fromOldProcess = await carol.join('lobby', '0000000000-3');
      expect(fromOldProcess.reset).toBe(true);
      expect(fromOldProcess.history).toHaveLength(3);
      await carol.close();
    } finally {
      await ada.close();
      await bob.close();
      await small.close();
    }
  });

  it('refuses a since this server could never have issued with invalid_cursor', async () => {
    const ada = await connect();
    ada.send({ type: 'join', room: 'lobby', since: 'not-a-cursor' });
    expect(await ada.next('error')).toEqual({
      type: 'error',
      code: 'invalid_cursor',
      message: expect.any(String),
      ref: 'lobby',
    });
    expect((await ada.join('lobby')).room).toBe('lobby');
  });

  it('leaves a room: left frame, no more messages from it', async () => {
    const ada = await connect('?name=ada');
    const bob = await connect('?name=bob');
    await ada.join('lobby');
    await bob.join('lobby');
    bob.send({ type: 'leave', room: 'lobby' });
    expect(await bob.next('left')).toEqual({ type: 'left', room: 'lobby' });
    await ada.say('lobby', 'c-1', 'anyone?');
    await bob.sync();
    expect(bob.all('message')).toHaveLength(0);
    bob.send({ type: 'send', room: 'lobby', clientId: 'c-2', text: 'x' });
    expect((await bob.next('error')).code).toBe('not_joined');
  });

  it('shows typing to the other members but not to the typist', async () => {
    const ada = await connect('?name=ada');
    const bob = await connect('?name=bob');
    await ada.join('lobby');
    await bob.join('lobby');
    ada.send({ type: 'typing', room: 'lobby' });
    expect(await bob.next('typing')).toEqual({ type: 'typing', room: 'lobby', user: 'ada' });
    await ada.sync();
    expect(ada.all('typing')).toHaveLength(0);
    expect(await server.log.last('chat:lobby', 10)).toEqual([]);
  });

  it('answers ping with pong echoing t', async () => {
    const ada = await connect();
    ada.send({ type: 'ping', t: 1234 });
    expect(await ada.next('pong')).toEqual({ type: 'pong', t: 1234 });
    ada.send({ type: 'ping' });
    expect(await ada.next('pong', (f) => !('t' in f))).toEqual({ type: 'pong' });
  });

  it('counts connections while they are open', async () => {
    const ada = await connect();
    await connect();
    expect(await server.connectionCount()).toBe(2);
    await ada.close();
    await waitFor(async () => (await server.connectionCount()) === 1, 'the closed connection to be released');
    expect(await server.connectionCount()).toBe(1);
  });
});
