import { ApplicationRef } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { ChatService, withAuthToken, withReconnect } from 'ngx-realtime-signals';
import { provideRealtimeTesting, RealtimeTestingController, type TestSocket } from 'ngx-realtime-signals/testing';

/** ChatService's real client (rooms, outbox, acks, re-join with since) driven through the testing entry point. */
describe('ChatService through RealtimeTestingController', () => {

  let realtime: RealtimeTestingController;
  let chat: ChatService;
  const settle = () => TestBed.inject(ApplicationRef).whenStable();

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideRealtimeTesting(withReconnect({ initialDelayMs: 0 }))] });
    realtime = TestBed.inject(RealtimeTestingController);
    chat = TestBed.inject(ChatService);
  });

  /** Connects as ada, welcomes her and confirms her join of `room`. */
  async function joinedSocket(room: string): Promise<TestSocket> {
    chat.connect({ name: 'ada' });
    const socket = await realtime.expectNext({ transport: 'chat' });
    socket.welcome();
    socket.expectSent({ type: 'join', room });
    socket.joined(room, { members: ['ada', 'bob'], history: [{ text: 'earlier', from: 'bob' }] });
    await settle();
    return socket;
  }

  it('connects with the requested name, joins the room and shows its history and members', async () => {
    const lobby = chat.join('lobby');

    const socket = await joinedSocket('lobby');

    expect(socket.params.get('name')).toBe('ada');
    expect(chat.state()).toBe('open');
    expect(chat.user()).toBe('ada');
    expect(lobby.joined()).toBe(true);
    expect(lobby.members()).toEqual(['ada', 'bob']);
    expect(lobby.messages().map((m) => `${m.from}: ${m.text}`)).toEqual(['bob: earlier']);
    realtime.verify();
  });

  it('marks a message sent once the server acknowledges it', async () => {
    const lobby = chat.join('lobby');
    const socket = await joinedSocket('lobby');

    const message = lobby.send('hello');
    await settle();
    const frame = socket.expectSent({ type: 'send', room: 'lobby', text: 'hello' });
    expect(lobby.messages().at(-1)).toMatchObject({ text: 'hello', status: 'pending', mine: true });

    const { id } = socket.ack();
    await settle();

    expect(frame['clientId']).toBe(message.clientId);
    expect(lobby.messages().at(-1)).toMatchObject({ text: 'hello', status: 'sent', id });
  });

  it('marks a refused message failed and resends it on retry with the same clientId', async () => {
    const lobby = chat.join('lobby');
    const socket = await joinedSocket('lobby');
    const message = lobby.send('too much');
    await settle();

    socket.failSend(undefined, 'text_too_long');
    await settle();
    expect(lobby.messages().at(-1)?.status).toBe('failed');

    lobby.retry(message.clientId!);
    await settle();

    expect(socket.sentFrames({ type: 'send', clientId: message.clientId })).toHaveLength(2);
    expect(lobby.messages().at(-1)?.status).toBe('pending');
  });

  it('queues a message sent while offline and delivers it after the reconnect, re-joining from the last message', async () => {
    const lobby = chat.join('lobby');
    const first = await joinedSocket('lobby');
    const seen = first.message('lobby', { text: 'hi ada', from: 'bob' });
    await settle();

    const next = first.reconnect();
    const queued = lobby.send('written offline');
    const second = await next;
    second.welcome();
    await settle();

    expect(second.expectSent({ type: 'join', room: 'lobby' })['since']).toBe(seen.id);
    second.joined('lobby', { members: ['ada', 'bob'] });
    await settle();
    expect(second.expectSent({ type: 'send', room: 'lobby' })['clientId']).toBe(queued.clientId);
    expect(first.sentFrames('send')).toEqual([]);
  });

  it('shows a broadcast message once even when it arrives twice', async () => {
    const lobby = chat.join('lobby');
    const socket = await joinedSocket('lobby');

    socket.message('lobby', { text: 'twice', from: 'bob', id: 'm1' });
    socket.message('lobby', { text: 'twice', from: 'bob', id: 'm1' });
    await settle();

    expect(lobby.messages().filter((m) => m.text === 'twice')).toHaveLength(1);
  });

  it('stops for good when the server closes with 1008', async () => {
    chat.connect({ name: 'ada' });
    const socket = await realtime.expectNext({ transport: 'chat' });
    socket.welcome();

    socket.fail(1008);
    await settle();

    expect(chat.state()).toBe('failed');
    expect(chat.lastError()).toMatchObject({ code: 'socket_closed', retryable: false });
    realtime.expectNone({ transport: 'chat' });
  });
});

describe('ChatService with an auth token through RealtimeTestingController', () => {
  it('reconnects at once with a fresh token when the server closes with 4401', async () => {
    let issued = 0;
    TestBed.configureTestingModule({
      providers: [provideRealtimeTesting(withReconnect({ initialDelayMs: 60_000 }), withAuthToken(() => `t${++issued}`))],
    });
    const realtime = TestBed.inject(RealtimeTestingController);
    TestBed.inject(ChatService).connect();
    const first = await realtime.expectNext({ transport: 'chat' });
    first.welcome({ user: 'ada' });

    first.fail(4401);
    const second = await realtime.expectNext({ transport: 'chat' }); // long before the 60 s backoff

    expect(first.params.get('access_token')).toBe('t1');
    expect(second.params.get('access_token')).toBe('t2');
  });
});
