import { TestBed } from '@angular/core/testing';
import { ApplicationRef } from '@angular/core';
import { NotificationService, withAuthToken, withEndpoints, withReconnect, type RealtimeFeature } from 'ngx-realtime-signals';
import { provideRealtimeTesting, RealtimeTestingController } from 'ngx-realtime-signals/testing';

/** NotificationService's real logic (state, cursor, dedup, buffers) driven through the testing entry point. */
describe('NotificationService through RealtimeTestingController', () => {
  let realtime: RealtimeTestingController;
  let notifications: NotificationService<{ text: string }>;
  const settle = () => TestBed.inject(ApplicationRef).whenStable();

  function setUp(...features: RealtimeFeature[]) {
    TestBed.configureTestingModule({ providers: [provideRealtimeTesting(...features)] });
    realtime = TestBed.inject(RealtimeTestingController);
    notifications = TestBed.inject(NotificationService) as NotificationService<{ text: string }>;
  }

  it('opens the topic stream and shows pushed events newest first, unread', async () => {
    setUp();
    notifications.connect('alerts');
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'alerts' });
    expect(notifications.state()).toBe('connecting');

    stream.event({ type: 'disk', data: { text: 'disk full' } });
    stream.event({ type: 'cpu', data: { text: 'cpu hot' } });
    await settle();

    expect(stream.request.url).toBe('/api/events/alerts');
    expect(notifications.state()).toBe('open');
    expect(notifications.notifications().map((n) => n.data.text)).toEqual(['cpu hot', 'disk full']);
    expect(notifications.unreadCount()).toBe(2);
    expect(notifications.cursor()).toBe('e2');
    realtime.verify();
  });

  it('shows an event delivered twice only once', async () => {
    setUp();
    notifications.connect('alerts');
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'alerts' });

    stream.event({ id: 'same', data: { text: 'once' } });
    stream.event({ id: 'same', data: { text: 'once' } });
    await settle();

    expect(notifications.notifications()).toHaveLength(1);
  });

  it('resumes from the last event id after the stream drops', async () => {
    setUp(withReconnect({ initialDelayMs: 0 }));
    notifications.connect('alerts');
    const first = await realtime.expectNext({ transport: 'sse', topic: 'alerts' });
    const seen = first.event({ data: { text: 'before the drop' } });
    await settle();

    const second = await first.reconnect();
    second.event({ data: { text: 'after the drop' } });
    await settle();

    expect(second.cursor).toBe(seen.id);
    expect(notifications.state()).toBe('open');
    expect(notifications.notifications().map((n) => n.data.text)).toEqual(['after the drop', 'before the drop']);
    realtime.verify();
  });

  it('waits out the backoff the server asked for under fake timers before it reconnects', async () => {
    jest.useFakeTimers();
    try {
      setUp(withReconnect({ initialDelayMs: 1000, maxDelayMs: 1000 }));
      notifications.connect('alerts');
      const first = await realtime.expectNext({ transport: 'sse', topic: 'alerts' });
      first.open();
      first.retryHint(1000);

      // a cut of an open stream: the first retry comes within initialDelayMs / 4, without the hint
      const quick = first.reconnect();
      await jest.advanceTimersByTimeAsync(250);
      const second = await quick;
      expect(notifications.state()).toBe('connecting');

      // that retry ends before it opens: from now on the hint is the floor, so the wait is exactly 1000 ms
      const next = second.reconnect();
      await jest.advanceTimersByTimeAsync(999);
      expect(notifications.state()).toBe('reconnecting');
      realtime.expectNone({ transport: 'sse' });
      await jest.advanceTimersByTimeAsync(1);

      expect((await next).topic).toBe('alerts');
    } finally {
      jest.useRealTimers();
    }
  });

  it('gives up on 401 with the error as a value and opens nothing more', async () => {
    setUp(withReconnect({ initialDelayMs: 0 }));
    notifications.connect('alerts');
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'alerts' });

    stream.fail(401);
    await settle();

    expect(notifications.state()).toBe('failed');
    expect(notifications.lastError()).toMatchObject({ code: 'http_error', status: 401, retryable: false });
    realtime.expectNone({ transport: 'sse' });
  });

  it('surfaces a reset from the server as a gap', async () => {
    setUp();
    notifications.connect('alerts');
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'alerts' });

    stream.reset('head-9');
    await settle();

    expect(notifications.gap()).toEqual({ cursor: 'head-9', at: expect.any(Number) });
  });

  it('sends the auth token as a bearer header', async () => {
    setUp(withAuthToken(() => 'secret'));
    notifications.connect('alerts');

    const stream = await realtime.expectNext({ transport: 'sse', topic: 'alerts' });

    expect(stream.request.headers['Authorization']).toBe('Bearer secret');
  });

  it('closes the stream on disconnect', async () => {
    setUp();
    notifications.connect('alerts');
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'alerts' });

    notifications.disconnect();

    expect(stream.cancelled).toBe(true);
    expect(notifications.state()).toBe('closed');
    realtime.verify({ ignoreCancelled: false });
  });

  it('reads raw messages of a plain SSE endpoint as the real transport does', async () => {
    setUp(withEndpoints({ events: (topic) => `/stream/${topic}` }));
    notifications.connect('alerts');
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'alerts' });

    stream.message({ data: '{"text":"disk full"}' });
    stream.message({ data: '{"text":"cpu hot"}' });
    stream.message({ id: 'a-3', event: 'fan', data: '{"text":"fan loud"}' });
    await settle();

    expect(stream.request.url).toBe('/stream/alerts');
    expect(notifications.notifications().map((n) => [n.type, n.data.text])).toEqual([
      ['fan', 'fan loud'],
      ['message', 'cpu hot'],
      ['message', 'disk full'],
    ]);
    expect(notifications.notifications().map((n) => n.id)).toEqual(['a-3', expect.stringMatching(/^local:/), expect.stringMatching(/^local:/)]);
    expect(new Set(notifications.notifications().map((n) => n.id)).size).toBe(3);
    expect(notifications.cursor()).toBe('a-3');
  });

  it("applies the stream's parse function to raw messages and fails on data it refuses", async () => {
    setUp();
    notifications.connect('alerts', {
      parse: (m) => {
        if (!m.data.startsWith('!')) throw new Error('no bang');
        return { text: m.data.slice(1) };
      },
    });
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'alerts' });

    stream.message({ id: '1', data: '!hello' });
    stream.message({ id: '2', data: 'plain' });
    await settle();

    expect(notifications.notifications().map((n) => n.data.text)).toEqual(['hello']);
    expect(notifications.state()).toBe('failed');
    expect(notifications.lastError()).toEqual({
      code: 'parse_failed',
      message: "The parse function threw for the 'message' event with id '2': no bang",
      retryable: false,
    });
    expect(stream.active).toBe(false);
  });
});
