import { PLATFORM_ID, type EnvironmentProviders } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { SIGNAL } from '@angular/core/primitives/signals';
import { NotificationService, withAuthToken, withBuffers, withHeartbeat, withReconnect, type RealtimeEvent, type RealtimeFeature, type RealtimeOptions } from 'ngx-realtime-signals';
import { provideRealtimeTesting, RealtimeTestingController } from 'ngx-realtime-signals/testing';

/** How often a signal was written: the node version grows by one per change. */
const writes = (fn: unknown) => (fn as { [SIGNAL]: { version: number } })[SIGNAL].version;

function setup(...args: (RealtimeOptions | RealtimeFeature)[]) {
  const provide = provideRealtimeTesting as (...a: (RealtimeOptions | RealtimeFeature)[]) => EnvironmentProviders;
  TestBed.configureTestingModule({ providers: [provide(...args)] });
  const service = TestBed.inject(NotificationService) as NotificationService<{ n: number }>;
  const realtime = TestBed.inject(RealtimeTestingController);
  const seen: RealtimeEvent<{ n: number }>[] = [];
  service.events$.subscribe((e) => seen.push(e));
  return { service, realtime, seen };
}

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('NotificationService', () => {
  it('opens the topic stream under the base URL and reports open', async () => {
    const { service, realtime } = setup({ baseUrl: '/rt/' });
    expect(service.state()).toBe('idle');
    service.connect('user:7');
    expect(service.topic()).toBe('user:7');
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'user:7' });
    expect(stream.request.url).toBe('/rt/events/user%3A7');
    expect(service.state()).toBe('connecting');
    stream.open();
    expect(service.state()).toBe('open');
    expect(service.connected()).toBe(true);
  });

  it('lists events newest first, counts unread ones and emits each in order', async () => {
    const { service, realtime, seen } = setup();
    service.connect();
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'notifications' });
    stream.event({ id: 'a', data: { n: 1 } });
    stream.event({ id: 'b', data: { n: 2 } });
    await settle();
    expect(service.notifications().map((n) => n.id)).toEqual(['b', 'a']);
    expect(service.unreadCount()).toBe(2);
    expect(service.cursor()).toBe('b');
    expect(seen.map((e) => e.data.n)).toEqual([1, 2]);
  });

  it('applies a burst of 1,000 events as one signal update', async () => {
    const { service, realtime, seen } = setup(withBuffers({ notifications: 5000 }));
    service.connect();
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'notifications' });
    stream.open();
    await settle();
    const before = writes(service.notifications);
    const cursorBefore = writes(service.cursor);
    for (let i = 0; i < 1000; i++) stream.event({ id: `e-${i}`, data: { n: i } });
    expect(service.notifications()).toHaveLength(0);
    await settle();
    expect(service.notifications()).toHaveLength(1000);
    expect(writes(service.notifications) - before).toBe(1);
    expect(writes(service.cursor) - cursorBefore).toBe(1);
    expect(seen).toHaveLength(1000);
  });

  it('keeps only the newest events up to the buffer size', async () => {
    const { service, realtime } = setup(withBuffers({ notifications: 3 }));
    service.connect();
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'notifications' });
    for (let i = 1; i <= 5; i++) stream.event({ id: `e${i}` });
    await settle();
    expect(service.notifications().map((n) => n.id)).toEqual(['e5', 'e4', 'e3']);
  });

  it('resumes from the cursor after a drop and drops redelivered events', async () => {
    const { service, realtime, seen } = setup(withReconnect({ initialDelayMs: 0 }));
    service.connect();
    const first = await realtime.expectNext({ transport: 'sse', topic: 'notifications' });
    first.event({ id: 'x1', data: { n: 1 } });
    first.event({ id: 'x2', data: { n: 2 } });
    const second = await first.reconnect();
    expect(service.state()).toBe('connecting');
    expect(second.cursor).toBe('x2');
    second.event({ id: 'x2', data: { n: 2 } });
    second.event({ id: 'x3', data: { n: 3 } });
    await settle();
    expect(seen.map((e) => e.id)).toEqual(['x1', 'x2', 'x3']);
    expect(service.notifications().map((n) => n.id)).toEqual(['x3', 'x2', 'x1']);
  });

  it('sets the gap signal on a reset and keeps going from the head', async () => {
    const { service, realtime, seen } = setup();
    service.connect();
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'notifications' });
    stream.event({ id: 'old-1' });
    stream.reset('new-5');
    stream.event({ id: 'new-6' });
    await settle();
    expect(service.gap()).toEqual({ cursor: 'new-5', at: expect.any(Number) });
    expect(service.cursor()).toBe('new-6');
    expect(seen.map((e) => e.id)).toEqual(['old-1', 'new-6']);
  });

  it('resumes from the position the server gave a stream opened without a cursor, with no gap', async () => {
    const { service, realtime, seen } = setup();
    service.connect();
    const first = await realtime.expectNext({ transport: 'sse', topic: 'notifications' });
    expect(first.cursor).toBeNull();
    first.position('head-4');
    await settle();
    expect(service.cursor()).toBe('head-4');
    expect(service.gap()).toBeNull();
    expect(seen).toEqual([]);
    first.drop();
    service.retryNow();
    const second = await realtime.expectNext({ transport: 'sse', topic: 'notifications' });
    expect(second.cursor).toBe('head-4');
    second.event({ id: 'head-5' });
    await settle();
    expect(seen.map((e) => e.id)).toEqual(['head-5']);
  });

  it('marks read, marks all read, dismisses and clears', async () => {
    const { service, realtime } = setup();
    service.connect();
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'notifications' });
    stream.events([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    await settle();
    service.markRead('b');
    expect(service.notifications().map((n) => n.read)).toEqual([false, true, false]);
    expect(service.unreadCount()).toBe(2);
    service.dismiss('c');
    expect(service.notifications().map((n) => n.id)).toEqual(['b', 'a']);
    service.markAllRead();
    expect(service.unreadCount()).toBe(0);
    service.clear();
    expect(service.notifications()).toEqual([]);
  });

  it('goes to failed on 401 without opening another stream', async () => {
    const { service, realtime } = setup(withReconnect({ initialDelayMs: 0 }));
    service.connect();
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'notifications' });
    stream.fail(401);
    await settle();
    await settle();
    expect(service.state()).toBe('failed');
    expect(service.lastError()).toMatchObject({ code: 'http_error', status: 401, retryable: false });
    realtime.expectNone({ transport: 'sse' });
  });

  it('asks the token function again on every reconnect', async () => {
    let calls = 0;
    const { service, realtime } = setup(withAuthToken(async () => `t${++calls}`), withReconnect({ initialDelayMs: 0 }));
    service.connect();
    const first = await realtime.expectNext({ transport: 'sse', topic: 'notifications' });
    expect(first.request.headers).toEqual({ Authorization: 'Bearer t1' });
    const second = await first.reconnect();
    expect(second.request.headers).toEqual({ Authorization: 'Bearer t2' });
  });

  it('disconnects to closed and resumes from the cursor on the next connect', async () => {
    const { service, realtime } = setup();
    service.connect();
    const first = await realtime.expectNext({ transport: 'sse', topic: 'notifications' });
    first.event({ id: 'k1' });
    service.disconnect();
    expect(service.state()).toBe('closed');
    expect(first.cancelled).toBe(true);
    expect(service.notifications().map((n) => n.id)).toEqual(['k1']);
    service.connect();
    const second = await realtime.expectNext({ transport: 'sse', topic: 'notifications' });
    expect(second.cursor).toBe('k1');
  });

  it('replaces the stream and clears the list when the topic changes', async () => {
    const { service, realtime } = setup();
    service.connect('a');
    const a = await realtime.expectNext({ transport: 'sse', topic: 'a' });
    a.event({ id: 'a1' });
    await settle();
    service.connect('b');
    expect(a.cancelled).toBe(true);
    expect(service.notifications()).toEqual([]);
    const b = await realtime.expectNext({ transport: 'sse', topic: 'b' });
    expect(b.cursor).toBeNull();
  });

  it('closes the stream when the injector is destroyed', async () => {
    const { service, realtime } = setup();
    service.connect();
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'notifications' });
    let completed = false;
    service.events$.subscribe({ complete: () => (completed = true) });
    TestBed.resetTestingModule();
    expect(stream.cancelled).toBe(true);
    expect(completed).toBe(true);
  });

  it('stays idle and opens nothing on the server platform', async () => {
    TestBed.configureTestingModule({ providers: [provideRealtimeTesting(), { provide: PLATFORM_ID, useValue: 'server' }] });
    const service = TestBed.inject(NotificationService);
    const realtime = TestBed.inject(RealtimeTestingController);
    service.connect();
    await settle();
    expect(service.state()).toBe('idle');
    realtime.expectNone({ transport: 'sse' });
  });

  it('leaves no timer and no listener behind when destroyed while waiting to retry', async () => {
    const listeners = new Map<string, number>();
    const count = (target: EventTarget) => {
      const add = target.addEventListener.bind(target);
      const remove = target.removeEventListener.bind(target);
      jest.spyOn(target, 'addEventListener').mockImplementation((type, fn, opts) => {
        listeners.set(type, (listeners.get(type) ?? 0) + 1);
        add(type, fn, opts);
      });
      jest.spyOn(target, 'removeEventListener').mockImplementation((type, fn, opts) => {
        listeners.set(type, (listeners.get(type) ?? 0) - 1);
        remove(type, fn, opts);
      });
    };
    count(window);
    count(document);
    const { service, realtime } = setup(withReconnect({ initialDelayMs: 60_000, maxDelayMs: 60_000 }), withHeartbeat(1000));
    service.connect();
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'notifications' });
    stream.open();
    jest.useFakeTimers();
    try {
      stream.drop();
      expect(service.state()).toBe('reconnecting');
      expect(jest.getTimerCount()).toBe(1);
      expect([...listeners.values()].some((n) => n > 0)).toBe(true);
      TestBed.resetTestingModule();
      expect(service.state()).toBe('closed');
      expect(jest.getTimerCount()).toBe(0);
      expect([...listeners.entries()].filter(([type]) => ['online', 'pageshow', 'visibilitychange'].includes(type))).toEqual([
        ['online', 0],
        ['pageshow', 0],
        ['visibilitychange', 0],
      ]);
    } finally {
      jest.useRealTimers();
      jest.restoreAllMocks();
    }
  });

  it('restarts a stream that stays silent for twice the heartbeat interval', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
    try {
      const { service, realtime } = setup(withHeartbeat(1000), withReconnect({ initialDelayMs: 0 }));
      service.connect();
      await jest.advanceTimersByTimeAsync(0);
      const stream = realtime.expectOne({ transport: 'sse', topic: 'notifications' });
      stream.open();
      await jest.advanceTimersByTimeAsync(1500);
      stream.ping();
      await jest.advanceTimersByTimeAsync(1500);
      expect(service.state()).toBe('open');
      expect(stream.cancelled).toBe(false);
      await jest.advanceTimersByTimeAsync(500);
      expect(stream.cancelled).toBe(true);
      expect(service.lastError()).toMatchObject({ code: 'heartbeat_timeout', retryable: true });
      await jest.advanceTimersByTimeAsync(1);
      realtime.expectOne({ transport: 'sse', topic: 'notifications' });
    } finally {
      jest.useRealTimers();
    }
  });
});
