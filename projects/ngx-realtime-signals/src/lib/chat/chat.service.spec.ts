import { ApplicationRef, effect, PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { ChatService } from 'ngx-realtime-signals';
import { provideRealtimeTesting, RealtimeTestingController, type TestSocket } from 'ngx-realtime-signals/testing';

describe('ChatService', () => {
  const settle = () => TestBed.inject(ApplicationRef).whenStable();

  function setup(platform = 'browser') {
    TestBed.configureTestingModule({
      providers: [provideRealtimeTesting({ baseUrl: 'https://chat.example.com/api', reconnect: { initialDelayMs: 0 } }), { provide: PLATFORM_ID, useValue: platform }],
    });
    return { chat: TestBed.inject(ChatService), realtime: TestBed.inject(RealtimeTestingController) };
  }

  async function joined(chat: ChatService, realtime: RealtimeTestingController, room: string): Promise<TestSocket> {
    chat.connect({ name: 'ada' });
    const socket = await realtime.expectNext({ transport: 'chat' });
    socket.welcome();
    socket.joined(room, { members: ['ada'] });
    await settle();
    return socket;
  }

  it('stays idle and opens nothing on the server platform', () => {
    const { chat, realtime } = setup('server');
    const room = chat.join('lobby');
    chat.connect({ name: 'ada' });
    const message = room.send('queued');

    expect(chat.state()).toBe('idle');
    expect(message.status).toBe('pending');
    realtime.expectNone({ transport: 'chat' });
  });

  it('connects to the ws(s) form of the base URL with the name as a query parameter', async () => {
    const { chat, realtime } = setup();
    chat.connect({ name: 'ada lovelace' });
    const socket = await realtime.expectNext({ transport: 'chat' });
    expect(socket.url).toBe('wss://chat.example.com/api/chat?name=ada+lovelace');
  });

  it('reconnects under the new name when connect() is called with a different one', async () => {
    const { chat, realtime } = setup();
    chat.connect({ name: 'ada' });
    const first = await realtime.expectNext({ transport: 'chat' });
    first.welcome();
    chat.connect({ name: 'ada' });
    realtime.expectNone({ transport: 'chat' });
    chat.connect({ name: 'grace' });
    const second = await realtime.expectNext({ transport: 'chat' });
    expect(first.cancelled).toBe(true);
    expect(second.params.get('name')).toBe('grace');
  });

  it('shows a sent message before send() returns', async () => {
    const { chat, realtime } = setup();
    const room = chat.join('lobby');
    await joined(chat, realtime, 'lobby');
    const message = room.send('hi');
    expect(room.messages()).toEqual([message]);
  });

  it('applies a burst of frames as one signal update', async () => {
    const { chat, realtime } = setup();
    const room = chat.join('lobby');
    const socket = await joined(chat, realtime, 'lobby');
    const seen: number[] = [];
    TestBed.runInInjectionContext(() => effect(() => void seen.push(room.messages().length)));
    TestBed.tick();
    expect(seen).toEqual([0]);

    for (let i = 0; i < 50; i++) socket.message('lobby', { text: `m${i}`, from: 'bob' });
    expect(room.messages()).toHaveLength(0);
    await settle();
    TestBed.tick();

    expect(room.messages()).toHaveLength(50);
    expect(seen).toEqual([0, 50]);
  });

  it('gives the same handle for the same room until it is left', async () => {
    const { chat, realtime } = setup();
    const room = chat.join('lobby');
    expect(chat.join('lobby')).toBe(room);
    const socket = await joined(chat, realtime, 'lobby');

    room.leave();
    socket.expectSent({ type: 'leave', room: 'lobby' });
    expect(room.joined()).toBe(false);
    expect(chat.rooms()).toEqual([]);
    const again = chat.join('lobby');
    expect(again).not.toBe(room);
    expect(chat.rooms()).toEqual([again]);
  });

  it('reports a gap in the room and on the service when the server resets the cursor', async () => {
    const { chat, realtime } = setup();
    const room = chat.join('lobby');
    const first = await joined(chat, realtime, 'lobby');
    first.message('lobby', { text: 'old', from: 'bob' });
    first.drop();
    const second = await realtime.expectNext({ transport: 'chat' });
    second.welcome();
    second.joined('lobby', { reset: true, history: [{ text: 'new', from: 'bob', id: 'h-9' }] });
    await settle();

    expect(room.messages().map((m) => m.text)).toEqual(['old', 'new']);
    expect(room.gap?.()).toEqual({ cursor: 'h-9', at: expect.any(Number) });
    expect(chat.gap()).toBe(room.gap?.());
  });

  it('closes the socket and stops every timer when the injector is destroyed', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    try {
      const { chat, realtime } = setup();
      const room = chat.join('lobby');
      chat.connect({ name: 'ada' });
      const [socket] = realtime.match({ transport: 'chat' });
      socket.welcome();
      socket.joined('lobby', { members: ['ada'] });
      socket.typing('lobby', 'bob');
      expect(room.typing()).toEqual([]); // not flushed yet: one update per batch
      await Promise.resolve();
      expect(room.typing()).toEqual(['bob']);
      expect(jest.getTimerCount()).toBeGreaterThan(0);

      TestBed.resetTestingModule();

      expect(socket.cancelled).toBe(true);
      expect(chat.state()).toBe('closed');
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
