import { ApplicationRef, Injector, type EnvironmentProviders } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import {
  ChatService,
  LongPollService,
  NotificationService,
  provideRealtime,
  withBaseUrl,
  withEndpoints,
  withHeartbeat,
  withReconnect,
  type RealtimeEndpoints,
  type RealtimeFeature,
  type RealtimeOptions,
  type SseMessage,
} from 'ngx-realtime-signals';
import { resolvePollUrl } from './endpoints';
import { resolveConfig } from './resolve-config';
import { REALTIME_CONFIG } from './tokens';
import { provideRealtimeTesting, RealtimeTestingController } from 'ngx-realtime-signals/testing';

function setup(...args: (RealtimeOptions | RealtimeFeature)[]) {
  const provide = provideRealtimeTesting as (...a: (RealtimeOptions | RealtimeFeature)[]) => EnvironmentProviders;
  TestBed.configureTestingModule({ providers: [provide(withReconnect({ initialDelayMs: 0 }), ...args)] });
  return { realtime: TestBed.inject(RealtimeTestingController) };
}

const settle = () => TestBed.inject(ApplicationRef).whenStable();

describe('withEndpoints', () => {
  it('keeps every URL under the base URL when no endpoint is given', async () => {
    const { realtime } = setup(withBaseUrl('/rt'));
    TestBed.inject(NotificationService).connect('user:1');
    expect((await realtime.expectNext({ transport: 'sse' })).request.url).toBe('/rt/events/user%3A1');
    TestBed.inject(LongPollService).watch('orders');
    expect((await realtime.expectNext({ transport: 'poll' })).request.url).toBe('/rt/poll/orders');
    TestBed.inject(ChatService).connect({ name: 'ada' });
    expect((await realtime.expectNext({ transport: 'chat' })).url).toBe('ws://localhost/rt/chat?name=ada');
  });

  it('maps each service to the URLs of the backend', async () => {
    const { realtime } = setup(
      withBaseUrl('/rt'),
      withEndpoints({
        events: (topic) => `/stream/${topic}`,
        poll: (topic) => `https://poll.example.com/v2/${topic}/wait`,
        chat: 'wss://chat.example.com/socket?v=2',
      }),
    );
    TestBed.inject(NotificationService).connect('orders');
    expect((await realtime.expectNext({ transport: 'sse', topic: 'orders' })).request.url).toBe('/stream/orders');
    TestBed.inject(LongPollService).watch('orders');
    expect((await realtime.expectNext({ transport: 'poll', topic: 'orders' })).request.url).toBe('https://poll.example.com/v2/orders/wait');
    TestBed.inject(ChatService).connect({ name: 'ada' });
    expect((await realtime.expectNext({ transport: 'chat' })).url).toBe('wss://chat.example.com/socket?v=2&name=ada');
  });

  it('resolves a relative chat endpoint against the page and asks a chat function on every connect', async () => {
    let n = 0;
    const { realtime } = setup(withEndpoints({ chat: () => `/socket/${++n}` }));
    const chat = TestBed.inject(ChatService);
    chat.connect();
    const first = await realtime.expectNext({ transport: 'chat' });
    expect(first.url).toBe('ws://localhost/socket/1');
    first.drop();
    expect((await realtime.expectNext({ transport: 'chat' })).url).toBe('ws://localhost/socket/2');
  });

  it('fails the chat connection with invalid_url when the chat function returns no URL', async () => {
    setup(withEndpoints({ chat: () => '' }));
    const chat = TestBed.inject(ChatService);
    chat.connect();
    await settle();
    expect(chat.state()).toBe('failed');
    expect(chat.lastError()).toMatchObject({ code: 'invalid_url', message: 'withEndpoints: chat() returned "", expected a URL string' });
  });

  it('lets a per-call url win over the endpoint', async () => {
    const { realtime } = setup(withEndpoints({ events: (topic) => `/stream/${topic}`, poll: (topic) => `/p/${topic}` }));
    TestBed.inject(NotificationService).connect('orders', { url: 'https://other.example.com/sse?orders' });
    expect((await realtime.expectNext({ transport: 'sse' })).request.url).toBe('https://other.example.com/sse?orders');
    TestBed.inject(LongPollService).watch('orders', { url: '/legacy/orders' });
    expect((await realtime.expectNext({ transport: 'poll' })).request.url).toBe('/legacy/orders');
  });

  it('merges endpoints given as an options object and as features, entry by entry', () => {
    const events = (topic: string) => `/e/${topic}`;
    const poll = (topic: string) => `/p/${topic}`;
    TestBed.configureTestingModule({ providers: [provideRealtime({ endpoints: { events, chat: '/a' } }, withEndpoints({ poll, chat: '/b' }))] });
    expect(TestBed.inject(REALTIME_CONFIG).endpoints).toEqual({ events, poll, chat: '/b' });
  });

  it('passes the parse mode of the endpoint, and of the call, to the stream', async () => {
    const parse = (m: SseMessage) => m.data.length;
    const { realtime } = setup(withEndpoints({ events: { url: (topic) => `/s/${topic}`, parse: 'json' } }));
    const notes = TestBed.inject(NotificationService);
    notes.connect('a');
    const first = await realtime.expectNext({ transport: 'sse', topic: 'a' });
    expect(first.request).toMatchObject({ url: '/s/a', parse: 'json' });
    notes.connect('b', { parse });
    expect((await realtime.expectNext({ transport: 'sse', topic: 'b' })).request.parse).toBe(parse);
  });

  it.each<[string, unknown, string]>([
    ['a string for events', { events: '/stream' }, 'withEndpoints: events must be (topic) => url or { url: (topic) => url, parse?, heartbeatMs? }, got "/stream"'],
    ['an events object without url', { events: { parse: 'json' } }, 'withEndpoints: events must be (topic) => url or { url: (topic) => url, parse?, heartbeatMs? }, got object'],
    ['an unknown parse mode', { events: { url: String, parse: 'xml' } }, `withEndpoints: events: parse must be 'json', 'text' or (message) => data, got "xml"`],
    ['a negative heartbeat', { events: { url: String, heartbeatMs: -1 } }, 'withEndpoints: events: heartbeatMs must be a number of ms >= 0 (0 turns the watchdog off), got -1'],
    ['a heartbeat that is not a number', { events: { url: String, heartbeatMs: '5000' } }, 'withEndpoints: events: heartbeatMs must be a number of ms >= 0 (0 turns the watchdog off), got "5000"'],
    ['a string for poll', { poll: '/poll' }, 'withEndpoints: poll must be (topic) => url, got "/poll"'],
    ['an empty chat URL', { chat: '' }, 'withEndpoints: chat must be a URL string or () => url, got ""'],
    ['a misspelt entry', { event: String }, 'withEndpoints: unknown endpoint "event" (expected events, poll or chat)'],
    ['null', null, 'withEndpoints: expected an object { events?, poll?, chat? }, got null'],
  ])('refuses %s with a message naming it', (_name, endpoints, message) => {
    expect(() => withEndpoints(endpoints as RealtimeEndpoints)).toThrow(message);
  });

  it('refuses bad endpoints given in an options object', () => {
    TestBed.configureTestingModule({ providers: [provideRealtime({ endpoints: { poll: 7 } as unknown as RealtimeEndpoints })] });
    expect(() => TestBed.inject(REALTIME_CONFIG)).toThrow('provideRealtime: poll must be (topic) => url, got 7');
  });

  it.each<[string, () => void, string]>([
    ['an empty url', () => TestBed.inject(NotificationService).connect('t', { url: '' }), 'NotificationService.connect: url must be a non-empty string, got ""'],
    [
      'a bad heartbeat',
      () => TestBed.inject(NotificationService).connect('t', { heartbeatMs: Number.NaN }),
      'NotificationService.connect: heartbeatMs must be a number of ms >= 0 (0 turns the watchdog off), got NaN',
    ],
    ['an empty poll url', () => TestBed.inject(LongPollService).watch('t', { url: '' }), 'LongPollService.watch: url must be a non-empty string, got ""'],
  ])('throws at the call for %s', (_name, call, message) => {
    setup();
    expect(call).toThrow(message);
  });

  it('throws at the call when an endpoint function returns no URL', () => {
    setup(withEndpoints({ events: () => undefined as unknown as string, poll: () => 42 as unknown as string }));
    expect(() => TestBed.inject(NotificationService).connect('t')).toThrow('withEndpoints: events("t") returned undefined, expected a URL string');
    expect(() => TestBed.inject(LongPollService).watch('t')).toThrow('withEndpoints: poll("t") returned 42, expected a URL string');
  });
});

describe('NotificationService against a stream without ids', () => {
  it('gives each event a distinct local id, keeps the cursor null and resumes from nothing', async () => {
    const { realtime } = setup();
    const notes = TestBed.inject(NotificationService) as NotificationService<{ text: string }>;
    notes.connect('plain');
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'plain' });
    stream.event({ id: '', data: { text: 'a' } });
    stream.event({ id: '', data: { text: 'a' } });
    await settle();
    const ids = notes.notifications().map((n) => n.id);
    expect(ids).toEqual([expect.stringMatching(/^local:\d+$/), expect.stringMatching(/^local:\d+$/)]);
    expect(new Set(ids).size).toBe(2);
    expect(notes.cursor()).toBeNull();

    notes.markRead(ids[1]);
    expect(notes.notifications().map((n) => n.read)).toEqual([false, true]);

    const next = await stream.reconnect();
    expect(next.cursor).toBeNull();
    next.event({ id: '', data: { text: 'b' } });
    await settle();
    expect(new Set(notes.notifications().map((n) => n.id)).size).toBe(3);
  });

  it('keeps an id-less event that follows one with an id, and resumes from the last id', async () => {
    const { realtime } = setup();
    const notes = TestBed.inject(NotificationService);
    notes.connect('mixed');
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'mixed' });
    stream.event({ id: 'k-1' });
    stream.event({ id: '' });
    await settle();
    expect(notes.notifications()).toHaveLength(2);
    expect(notes.cursor()).toBe('k-1');
    expect((await stream.reconnect()).cursor).toBe('k-1');
  });
});

describe('NotificationService and SSE id fields', () => {
  it('forgets the cursor on an empty id field, so the next attempt starts from now', async () => {
    const { realtime } = setup();
    const notes = TestBed.inject(NotificationService);
    notes.connect('t');
    const stream = await realtime.expectNext({ transport: 'sse', topic: 't' });
    stream.message({ id: 'k-1', data: '1' });
    await settle();
    expect(notes.cursor()).toBe('k-1');
    stream.message({ id: '', data: '2' });
    await settle();
    expect(notes.cursor()).toBeNull();
    expect(notes.notifications().map((n) => n.data)).toEqual([2, 1]);
    expect((await stream.reconnect()).cursor).toBeNull();
  });
});

describe('NotificationService heartbeat watchdog per stream', () => {
  async function silentFor(ms: number, connect: (notes: NotificationService) => void, ...args: RealtimeFeature[]) {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
    try {
      const { realtime } = setup(...args);
      const notes = TestBed.inject(NotificationService);
      connect(notes);
      await jest.advanceTimersByTimeAsync(0);
      const stream = realtime.expectOne({ transport: 'sse' });
      stream.open();
      await jest.advanceTimersByTimeAsync(ms);
      return { restarted: stream.cancelled, error: notes.lastError()?.code ?? null };
    } finally {
      jest.useRealTimers();
    }
  }

  it('never restarts a silent stream whose endpoint turns the watchdog off', async () => {
    const result = await silentFor(10 * 60_000, (n) => n.connect('t'), withEndpoints({ events: { url: (t) => `/s/${t}`, heartbeatMs: 0 } }));
    expect(result).toEqual({ restarted: false, error: null });
  });

  it('never restarts a silent stream opened with heartbeatMs 0, whatever withHeartbeat says', async () => {
    const result = await silentFor(10 * 60_000, (n) => n.connect('t', { heartbeatMs: 0 }), withHeartbeat(1000));
    expect(result).toEqual({ restarted: false, error: null });
  });

  it('restarts after twice the heartbeat of the call, which wins over the endpoint', async () => {
    const endpoint = withEndpoints({ events: { url: (t) => `/s/${t}`, heartbeatMs: 0 } });
    expect(await silentFor(9_999, (n) => n.connect('t', { heartbeatMs: 5000 }), endpoint)).toEqual({ restarted: false, error: null });
    TestBed.resetTestingModule();
    expect(await silentFor(10_001, (n) => n.connect('t', { heartbeatMs: 5000 }), endpoint)).toEqual({ restarted: true, error: 'heartbeat_timeout' });
  });

  it('keeps the watchdog of withHeartbeat for an endpoint that says nothing about it', async () => {
    const endpoint = withEndpoints({ events: (t) => `/s/${t}` });
    expect(await silentFor(2_001, (n) => n.connect('t'), endpoint, withHeartbeat(1000))).toEqual({ restarted: true, error: 'heartbeat_timeout' });
  });
});

describe('NotificationService stream identity', () => {
  it('replaces the stream and clears the list when the same topic is opened at another URL', async () => {
    const { realtime } = setup();
    const notes = TestBed.inject(NotificationService);
    notes.connect('t', { url: '/one' });
    const first = await realtime.expectNext({ transport: 'sse' });
    first.event({ id: 'x' });
    await settle();
    notes.connect('t', { url: '/one' });
    expect(first.cancelled).toBe(false);
    notes.connect('t', { url: '/two' });
    expect(first.cancelled).toBe(true);
    expect(notes.notifications()).toEqual([]);
    const second = await realtime.expectNext({ transport: 'sse' });
    expect(second.request).toMatchObject({ url: '/two', cursor: null });
  });
});

describe('in a production build (ngDevMode false)', () => {
  const global = globalThis as { ngDevMode?: unknown };
  let saved: unknown;
  beforeEach(() => {
    saved = global.ngDevMode;
    global.ngDevMode = false;
  });
  afterEach(() => {
    global.ngDevMode = saved;
  });

  it('leaves the checks of the setup and the call options to development', () => {
    expect(() => withEndpoints({ poll: 7 } as unknown as RealtimeEndpoints)).not.toThrow();
    const config = resolveConfig({ transports: ['smoke'] } as unknown as RealtimeOptions, Injector.create({ providers: [] }));
    expect(config.transports).toEqual(['smoke']);
    expect(resolvePollUrl(config, 't', '')).toBe('');
  });

  it('still refuses an endpoint function that returns no URL, in a short message', () => {
    const config = resolveConfig({ endpoints: { poll: () => 42 as unknown as string } }, Injector.create({ providers: [] }));
    expect(() => resolvePollUrl(config, 't', undefined)).toThrow(new TypeError('withEndpoints: an endpoint returned no URL'));
  });
});
