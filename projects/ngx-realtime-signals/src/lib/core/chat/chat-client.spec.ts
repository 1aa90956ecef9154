import type { RealtimeError, RealtimeEvent } from '../types';
import type { SocketHandle, SocketSink } from '../transports/realtime-transports';
import { ChatClient, type ChatAttemptContext, type ChatClientOptions } from './chat-client';

type Frame = { type: string; [k: string]: unknown };

/** One socket attempt as the chat client sees it, driven from the test like a server would. */
class ScriptedSocket implements SocketHandle {
  readonly sent: Frame[] = [];
  closedByClient = false;
  constructor(readonly sink: SocketSink) {}
  send(frame: Frame): void {
    this.sent.push(frame);
  }
  close(): void {
    this.closedByClient = true;
  }
  frames(type: string): Frame[] {
    return this.sent.filter((f) => f.type === type);
  }
  welcome(user = 'ada'): void {
    this.sink.opened();
    this.sink.message({ type: 'welcome', connectionId: 'c1', user, heartbeatMs: 30000 });
  }
  joined(room: string, history: RealtimeEvent[] = [], extra: Record<string, unknown> = {}): void {
    this.sink.message({ type: 'joined', room, members: ['ada'], count: 1, history, ...extra });
  }
}

class RecordingContext implements ChatAttemptContext {
  opens = 0;
  errors: RealtimeError[] = [];
  opened(): void {
    this.opens++;
  }
  closed(error: RealtimeError): void {
    this.errors.push(error);
  }
  activity(): void {}
}

let seq = 0;
function chatEvent(room: string, text: string, from: string, clientId: string | null = null): RealtimeEvent {
  seq++;
  return { id: `e-${seq}`, topic: `chat:${room}`, type: 'message', data: { text, from, clientId }, ts: 1000 + seq };
}

function setup(options: Partial<ChatClientOptions> = {}) {
  let ids = 0;
  const client = new ChatClient({ messageBufferSize: 100, createClientId: () => `m${++ids}`, ...options });
  const sockets: ScriptedSocket[] = [];
  const contexts: RecordingContext[] = [];
  const teardowns: (() => void)[] = [];
  const connect = () => {
    const ctx = new RecordingContext();
    contexts.push(ctx);
    teardowns.push(
      client.attach((sink) => {
        const socket = new ScriptedSocket(sink);
        sockets.push(socket);
        return socket;
      }, ctx),
    );
    return sockets[sockets.length - 1];
  };
  return { client, connect, sockets, contexts, teardowns };
}

const texts = (client: ChatClient, room: string) => client.room(room)!.log.messages().map((m) => m.text);

beforeEach(() => {
  jest.useFakeTimers();
  seq = 0;
});
afterEach(() => jest.useRealTimers());

describe('ChatClient', () => {
  it('queues sends made before connecting and flushes them in order once the room is joined', () => {
    const { client, connect } = setup();
    client.join('lobby');
    client.send('lobby', 'one');
    client.send('lobby', 'two');
    expect(client.room('lobby')!.log.messages().map((m) => m.status)).toEqual(['pending', 'pending']);

    const socket = connect();
    expect(socket.frames('send')).toEqual([]);
    socket.welcome();
    expect(socket.frames('join')).toEqual([{ type: 'join', room: 'lobby' }]);
    expect(socket.frames('send')).toEqual([]);
    socket.joined('lobby');
    expect(socket.frames('send').map((f) => [f['clientId'], f['text']])).toEqual([
      ['m1', 'one'],
      ['m2', 'two'],
    ]);
    client.dispose();
  });

  it('reports the attempt open on welcome and names the user', () => {
    const { client, connect, contexts } = setup();
    const socket = connect();
    expect(contexts[0].opens).toBe(0);
    socket.welcome('grace');
    expect(contexts[0].opens).toBe(1);
    expect(client.user).toBe('grace');
    client.dispose();
  });

  it('turns a pending message into a sent one on ack and keeps it once when the echo arrives', () => {
    const { client, connect } = setup();
    const socket = connect();
    socket.welcome();
    client.join('lobby');
    socket.joined('lobby');
    const sent = client.send('lobby', 'hello');
    socket.sink.message({ type: 'ack', clientId: sent.clientId, id: 'e-1' });
    expect(client.room('lobby')!.log.messages()).toEqual([
      expect.objectContaining({ clientId: 'm1', id: 'e-1', status: 'sent', mine: true, text: 'hello' }),
    ]);
    socket.sink.message({ type: 'message', room: 'lobby', event: chatEvent('lobby', 'hello', 'ada', 'm1') });
    socket.sink.message({ type: 'message', room: 'lobby', event: { ...chatEvent('lobby', 'x', 'ada'), id: 'e-1' } });
    expect(client.room('lobby')!.log.messages()).toEqual([
      expect.objectContaining({ clientId: 'm1', id: 'e-1', status: 'sent', mine: true, text: 'hello' }),
    ]);
    client.dispose();
  });

  it('reconciles an echo that arrives before the ack', () => {
    const { client, connect } = setup();
    const socket = connect();
    socket.welcome();
    client.join('lobby');
    socket.joined('lobby');
    client.send('lobby', 'hello');
    socket.sink.message({ type: 'message', room: 'lobby', event: chatEvent('lobby', 'hello', 'ada', 'm1') });
    socket.sink.message({ type: 'ack', clientId: 'm1', id: 'e-1' });
    expect(client.room('lobby')!.log.messages()).toEqual([expect.objectContaining({ id: 'e-1', status: 'sent' })]);
    expect(client.room('lobby')!.outbox.size).toBe(0);
    client.dispose();
  });

  it('ignores an event id it has already seen', () => {
    const { client, connect } = setup();
    const socket = connect();
    socket.welcome();
    client.join('lobby');
    const event = chatEvent('lobby', 'hi', 'bob');
    socket.joined('lobby', [event]);
    socket.sink.message({ type: 'message', room: 'lobby', event });
    expect(texts(client, 'lobby')).toEqual(['hi']);
    client.dispose();
  });

  it('resends an unacknowledged message with the same clientId after a reconnect and shows it once', () => {
    const { client, connect, contexts } = setup();
    const first = connect();
    first.welcome();
    client.join('lobby');
    const before = chatEvent('lobby', 'earlier', 'bob');
    first.joined('lobby', [before]);
    client.send('lobby', 'hello');
    expect(first.frames('send')).toHaveLength(1);
    first.sink.closed({ code: 'socket_closed', message: 'gone', retryable: true });
    expect(contexts[0].errors).toEqual([expect.objectContaining({ code: 'socket_closed' })]);

    const second = connect();
    second.welcome();
    expect(second.frames('join')).toEqual([{ type: 'join', room: 'lobby', since: before.id }]);
    // the server had stored the first send: its history after `since` holds it
    second.joined('lobby', [chatEvent('lobby', 'hello', 'ada', 'm1')]);
    expect(second.frames('send')).toEqual([{ type: 'send', room: 'lobby', clientId: 'm1', text: 'hello' }]);
    second.sink.message({ type: 'ack', clientId: 'm1', id: 'e-2' });
    expect(client.room('lobby')!.log.messages().map((m) => [m.text, m.status])).toEqual([
      ['earlier', 'sent'],
      ['hello', 'sent'],
    ]);
    client.dispose();
  });

  it('marks a message failed on a non-retryable server error and sends it again on retry', () => {
    const { client, connect } = setup();
    const socket = connect();
    socket.welcome();
    client.join('lobby');
    socket.joined('lobby');
    client.send('lobby', 'hello');
    socket.sink.message({ type: 'error', code: 'invalid_field', message: 'too long', ref: 'm1' });
    expect(client.room('lobby')!.log.messages()[0].status).toBe('failed');

    client.retry('lobby', 'm1');
    expect(client.room('lobby')!.log.messages()[0].status).toBe('pending');
    expect(socket.frames('send').map((f) => f['clientId'])).toEqual(['m1', 'm1']);
    socket.sink.message({ type: 'ack', clientId: 'm1', id: 'e-9' });
    expect(client.room('lobby')!.log.messages()[0]).toEqual(expect.objectContaining({ status: 'sent', id: 'e-9' }));
    client.dispose();
  });

  it('resends after a retryable server error', () => {
    const { client, connect } = setup();
    const socket = connect();
    socket.welcome();
    client.join('lobby');
    socket.joined('lobby');
    client.send('lobby', 'hello');
    socket.sink.message({ type: 'error', code: 'internal_error', message: 'retry it', ref: 'm1' });
    expect(socket.frames('send')).toHaveLength(2);
    expect(client.room('lobby')!.log.messages()[0].status).toBe('pending');
    client.dispose();
  });

  it('fails a message that went out the maximum number of times without an ack', () => {
    const { client, connect } = setup({ maxSendAttempts: 2 });
    client.send('lobby', 'hello');
    for (let i = 0; i < 2; i++) {
      const socket = connect();
      socket.welcome();
      socket.joined('lobby');
      expect(socket.frames('send')).toHaveLength(1);
      socket.sink.closed({ code: 'socket_closed', message: 'gone', retryable: true });
    }
    const last = connect();
    last.welcome();
    last.joined('lobby');
    expect(last.frames('send')).toHaveLength(0);
    expect(client.room('lobby')!.log.messages()[0].status).toBe('failed');
    client.dispose();
  });

  it('continues with the newest history after a gap, keeps pending messages and reports the gap', () => {
    const { client, connect } = setup();
    const first = connect();
    first.welcome();
    client.join('lobby');
    first.joined('lobby', [chatEvent('lobby', 'old', 'bob')]);
    first.sink.closed({ code: 'socket_closed', message: 'gone', retryable: true });
    client.send('lobby', 'mine');

    const second = connect();
    second.welcome();
    const newest = [chatEvent('lobby', 'new1', 'bob'), chatEvent('lobby', 'new2', 'bob')];
    second.joined('lobby', newest, { reset: true });
    expect(texts(client, 'lobby')).toEqual(['old', 'new1', 'new2', 'mine']);
    expect(client.room('lobby')!.gap).toEqual({ cursor: newest[1].id, at: expect.any(Number) });
    expect(client.room('lobby')!.log.cursor).toBe(newest[1].id);
    client.dispose();
  });

  it('tracks members from the join and presence deltas', () => {
    const { client, connect } = setup();
    const socket = connect();
    socket.welcome();
    client.join('lobby');
    socket.sink.message({ type: 'joined', room: 'lobby', members: ['ada', 'bob'], count: 2, history: [] });
    socket.sink.message({ type: 'presence', room: 'lobby', joined: ['cy'], left: ['bob'], count: 2 });
    expect(client.room('lobby')!.members).toEqual(['ada', 'cy']);
    expect(client.room('lobby')!.memberCount).toBe(2);
    client.dispose();
  });

  it('lists a typing user for about three seconds and drops them when their message arrives', () => {
    const { client, connect } = setup();
    const socket = connect();
    socket.welcome();
    client.join('lobby');
    socket.joined('lobby');
    socket.sink.message({ type: 'typing', room: 'lobby', user: 'bob' });
    socket.sink.message({ type: 'typing', room: 'lobby', user: 'ada' }); // ourselves: not listed
    expect(client.room('lobby')!.typing.users()).toEqual(['bob']);
    jest.advanceTimersByTime(2999);
    expect(client.room('lobby')!.typing.users()).toEqual(['bob']);
    jest.advanceTimersByTime(1);
    expect(client.room('lobby')!.typing.users()).toEqual([]);

    socket.sink.message({ type: 'typing', room: 'lobby', user: 'bob' });
    socket.sink.message({ type: 'message', room: 'lobby', event: chatEvent('lobby', 'hi', 'bob') });
    expect(client.room('lobby')!.typing.users()).toEqual([]);
    client.dispose();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('sends at most one typing frame per throttle interval', () => {
    const { client, connect } = setup();
    const socket = connect();
    socket.welcome();
    client.join('lobby');
    client.setTyping('lobby'); // not joined yet: nothing to tell
    socket.joined('lobby');
    client.setTyping('lobby');
    client.setTyping('lobby');
    jest.advanceTimersByTime(1999);
    client.setTyping('lobby');
    expect(socket.frames('typing')).toHaveLength(1);
    jest.advanceTimersByTime(1);
    client.setTyping('lobby');
    expect(socket.frames('typing')).toHaveLength(2);
    client.dispose();
  });

  it('measures latency from ping and pong', () => {
    const { client, connect } = setup({ pingIntervalMs: 5000 });
    const socket = connect();
    socket.welcome();
    const [ping] = socket.frames('ping');
    jest.advanceTimersByTime(40);
    socket.sink.message({ type: 'pong', t: ping['t'] });
    expect(client.latencyMs).toBe(40);
    jest.advanceTimersByTime(5000);
    expect(socket.frames('ping')).toHaveLength(2);
    client.dispose();
  });

  it('drops a connection whose pong does not come back in time', () => {
    const { client, connect, contexts } = setup({ pingIntervalMs: 5000, pongTimeoutMs: 8000 });
    const socket = connect();
    socket.welcome();
    socket.sink.message({ type: 'pong', t: socket.frames('ping')[0]['t'] });
    expect(client.latencyMs).toBe(0);
    client.join('lobby');
    socket.joined('lobby');
    // the first ping was answered; the second goes out at 5000 and is never answered
    jest.advanceTimersByTime(5000 + 7999);
    expect(socket.frames('ping')).toHaveLength(3);
    expect(contexts[0].errors).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(socket.closedByClient).toBe(true);
    expect(contexts[0].errors).toEqual([expect.objectContaining({ code: 'heartbeat_timeout', retryable: true })]);
    expect(client.latencyMs).toBeNull();
    expect(client.room('lobby')!.joined).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
    client.dispose();
  });

  it('gives up on an attempt that never gets a welcome', () => {
    const { client, connect, contexts } = setup({ welcomeTimeoutMs: 1000 });
    const socket = connect();
    socket.sink.opened();
    jest.advanceTimersByTime(1000);
    expect(socket.closedByClient).toBe(true);
    expect(contexts[0].errors).toEqual([expect.objectContaining({ code: 'network', retryable: true })]);
    client.dispose();
  });

  it('keeps at most the buffer size of messages, dropping the oldest', () => {
    const { client, connect } = setup({ messageBufferSize: 3 });
    const socket = connect();
    socket.welcome();
    client.join('lobby');
    socket.joined('lobby', ['a', 'b', 'c', 'd', 'e'].map((t) => chatEvent('lobby', t, 'bob')));
    expect(texts(client, 'lobby')).toEqual(['c', 'd', 'e']);
    client.dispose();
  });

  it('leaves a room with a leave frame and forgets it', () => {
    const { client, connect } = setup();
    const socket = connect();
    socket.welcome();
    client.join('lobby');
    socket.joined('lobby');
    client.leave('lobby');
    expect(socket.frames('leave')).toEqual([{ type: 'leave', room: 'lobby' }]);
    expect(client.room('lobby')).toBeUndefined();
    expect(client.joinedRooms).toEqual([]);
    client.dispose();
  });

  it('joins without a cursor after a gap with no history, so the next join asks for the newest messages', () => {
    const { client, connect } = setup();
    const first = connect();
    first.welcome();
    client.join('lobby');
    const old = chatEvent('lobby', 'old', 'bob');
    first.joined('lobby', [old]);
    first.sink.closed({ code: 'socket_closed', message: 'gone', retryable: true });
    const second = connect();
    second.welcome();
    expect(second.frames('join')).toEqual([{ type: 'join', room: 'lobby', since: old.id }]);
    second.joined('lobby', [], { reset: true });
    expect(client.room('lobby')!.gap).toEqual({ cursor: old.id, at: expect.any(Number) });
    second.sink.closed({ code: 'socket_closed', message: 'gone', retryable: true });
    const third = connect();
    third.welcome();
    expect(third.frames('join')).toEqual([{ type: 'join', room: 'lobby' }]);
    client.dispose();
  });

  it('resumes a room joined while it was empty from the cursor the server gave, and receives every missed message', () => {
    const { client, connect } = setup();
    const first = connect();
    first.welcome();
    client.join('quiet');
    first.joined('quiet', [], { cursor: 'h-0' });
    expect(client.room('quiet')!.log.cursor).toBe('h-0');
    first.sink.closed({ code: 'socket_closed', message: 'gone', retryable: true });

    const second = connect();
    second.welcome();
    expect(second.frames('join')).toEqual([{ type: 'join', room: 'quiet', since: 'h-0' }]);
    const missed = Array.from({ length: 60 }, (_, i) => chatEvent('quiet', `m${i}`, 'bob'));
    second.joined('quiet', missed, { cursor: missed[59].id });
    expect(texts(client, 'quiet')).toEqual(missed.map((_, i) => `m${i}`));
    expect(client.room('quiet')!.log.cursor).toBe(missed[59].id);
    expect(client.room('quiet')!.gap).toBeNull();
    client.dispose();
  });

  it('continues from the cursor the server gave after a gap with no history', () => {
    const { client, connect } = setup();
    const first = connect();
    first.welcome();
    client.join('lobby');
    const old = chatEvent('lobby', 'old', 'bob');
    first.joined('lobby', [old]);
    first.sink.closed({ code: 'socket_closed', message: 'gone', retryable: true });
    const second = connect();
    second.welcome();
    second.joined('lobby', [], { reset: true, cursor: 'h-9' });
    expect(client.room('lobby')!.gap).toEqual({ cursor: 'h-9', at: expect.any(Number) });
    second.sink.closed({ code: 'socket_closed', message: 'gone', retryable: true });
    const third = connect();
    third.welcome();
    expect(third.frames('join')).toEqual([{ type: 'join', room: 'lobby', since: 'h-9' }]);
    client.dispose();
  });

  it('keeps the last history event as the cursor when the server names it', () => {
    const { client, connect } = setup();
    const first = connect();
    first.welcome();
    client.join('lobby');
    const events = [chatEvent('lobby', 'a', 'bob'), chatEvent('lobby', 'b', 'bob')];
    first.joined('lobby', events, { cursor: events[1].id });
    first.sink.message({ type: 'message', room: 'lobby', event: chatEvent('lobby', 'c', 'bob') });
    expect(client.room('lobby')!.log.cursor).toBe('e-3');
    expect(texts(client, 'lobby')).toEqual(['a', 'b', 'c']);
    client.dispose();
  });

  it('joins again without a cursor when the server cannot use it', () => {
    const { client, connect } = setup();
    const first = connect();
    first.welcome();
    client.join('lobby');
    first.joined('lobby', [chatEvent('lobby', 'old', 'bob')]);
    first.sink.closed({ code: 'socket_closed', message: 'gone', retryable: true });
    const second = connect();
    second.welcome();
    second.sink.message({ type: 'error', code: 'invalid_cursor', message: 'bad', ref: 'lobby' });
    expect(second.frames('join')).toEqual([
      { type: 'join', room: 'lobby', since: 'e-1' },
      { type: 'join', room: 'lobby' },
    ]);
    client.dispose();
  });

  it('records why the server refused a join', () => {
    const { client, connect } = setup();
    const socket = connect();
    socket.welcome();
    client.join('lobby');
    socket.sink.message({ type: 'error', code: 'too_many_rooms', message: 'limit', ref: 'lobby' });
    expect(client.room('lobby')!.error).toEqual({ code: 'join_refused', message: 'limit', serverCode: 'too_many_rooms', retryable: false });
    expect(client.room('lobby')!.joined).toBe(false);
    client.dispose();
  });

  it('names messages sent before the welcome with the user the server assigns', () => {
    const { client, connect } = setup();
    client.send('lobby', 'early');
    expect(client.room('lobby')!.log.messages()[0].from).toBe('');
    connect().welcome('grace');
    expect(client.room('lobby')!.log.messages()[0].from).toBe('grace');
    client.dispose();
  });

  it('closes the socket and leaves no timer behind on teardown', () => {
    const { client, connect, teardowns, contexts } = setup();
    const socket = connect();
    socket.welcome();
    client.join('lobby');
    socket.joined('lobby');
    socket.sink.message({ type: 'typing', room: 'lobby', user: 'bob' });
    expect(jest.getTimerCount()).toBeGreaterThan(0);
    teardowns[0]();
    expect(socket.closedByClient).toBe(true);
    expect(contexts[0].errors).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
    // frames a closing socket still delivers are ignored
    socket.sink.message({ type: 'typing', room: 'lobby', user: 'bob' });
    expect(jest.getTimerCount()).toBe(0);
    client.dispose();
  });
});
