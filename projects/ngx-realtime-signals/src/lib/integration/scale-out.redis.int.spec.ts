import type { EnvironmentInjector } from '@angular/core';
import WebSocket from 'ws';
import {
  ChatService,
  LongPollService,
  NotificationService,
  withBuffers,
  withWebSocket,
  type RealtimeEvent,
} from 'ngx-realtime-signals';
import { ChatTestClient } from '@demo-server/test/support/chat-client';
import { startInstanceProcess, type InstanceProcess } from '@demo-server/test/support/instance-process';
import {
  deleteKeys,
  randomKeyPrefix,
  redisClient,
  REDIS_TEST_URL,
} from '../../../../ngx-realtime-signals-server/test/support/redis';
import { realtimeInjector, waitFor } from './realtime-test-support';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../../../ngx-realtime-signals-server/test/support/round-robin-proxy';

const FLOOD = 2000;
const KILL_AFTER = 600;
const TALKS = 20;

/**
 * Three demo-server processes on one Redis behind a round-robin TCP proxy (no stickiness), and
 * the library's three services reading through it, as an app behind a load balancer would.
 */
describe('scale-out: kill -9 of an instance mid-stream', () => {
  const prefix = randomKeyPrefix();
  const injectors: EnvironmentInjector[] = [];
  let instances: InstanceProcess[] = [];
  let proxy: RoundRobinProxy;

  afterAll(async () => {
    for (const injector of injectors.splice(0)) injector.destroy();
    await proxy?.close();
    await Promise.all(instances.map((instance) => instance.kill()));
    const redis = await redisClient();
    await deleteKeys(redis, prefix);
    await redis.close();
  });

  function inject<T>(service: new (...args: never[]) => T): T {
    const injector = realtimeInjector(proxy.url, [service], { initialDelayMs: 50, maxDelayMs: 300 }, [], [
      withWebSocket(WebSocket as unknown as typeof globalThis.WebSocket),
      withBuffers({ messages: 10_000, events: 10_000, notifications: 10_000 }),
    ]);
    injectors.push(injector);
    return injector.get(service);
  }

  it('brings every client back through the other instances with all 2,000 events once and in order', async () => {
    const env = {
      REDIS_URL: REDIS_TEST_URL,
      REDIS_KEY_PREFIX: prefix,
      HISTORY_LIMIT: '5000',
      WS_RATE_LIMIT: '100000',
      SSE_RETRY_MS: '100',
    };
    instances = await Promise.all([0, 1, 2].map(() => startInstanceProcess(env)));
    const [doomed, survivor] = instances;
    proxy = await startRoundRobinProxy(instances.map((instance) => instance.url));
    proxy.pin(0); // every client starts on the instance that will be killed

    const sse = inject(NotificationService);
    const sseEvents: RealtimeEvent[] = [];
    sse.events$.subscribe((event) => sseEvents.push(event));
    sse.connect('chat:flood');
    const feed = inject(LongPollService).watch('chat:flood', { timeoutMs: 2000, limit: 200 });
    const polled: RealtimeEvent[] = [];
    feed.events$.subscribe((event) => polled.push(event));
    const reader = inject(ChatService);
    reader.connect({ name: 'reader' });
    const readerRoom = reader.join('flood');
    const talker = inject(ChatService);
    talker.connect({ name: 'talker' });
    const talkerRoom = talker.join('flood');
    await waitFor(
      () => sse.cursor() !== null && feed.cursor() !== null && readerRoom.joined() && talkerRoom.joined(),
      'every client connected',
      60_000,
    );
    expect(new Set(proxy.routed)).toEqual(new Set([0]));
    proxy.pin(null);

    // The publisher talks to a surviving instance directly: its acks are the ground truth.
    const publisher = await ChatTestClient.connect(`${survivor.url.replace('http', 'ws')}/api/chat?name=publisher`);
    await publisher.join('flood');
    const acked = () => publisher.all('ack').length;
    let routedAtKill = 0;
    let deliveredAtKill = 0;
    for (let sent = 0; sent < FLOOD; ) {
      const batch = Math.min(50, FLOOD - sent);
      for (let i = 0; i < batch; i++) publisher.send({ type: 'send', room: 'flood', clientId: `f-${sent + i}`, text: `flood ${sent + i}` });
      sent += batch;
      await publisher.until(() => (acked() >= sent ? true : undefined), `${sent} acks`, 30_000);
      if (sent === KILL_AFTER) {
        for (let i = 0; i < TALKS / 2; i++) talkerRoom.send(`talk ${i}`);
        await doomed.kill();
        routedAtKill = proxy.routed.length;
        deliveredAtKill = sseEvents.length;
        for (let i = TALKS / 2; i < TALKS; i++) talkerRoom.send(`talk ${i}`);
      }
    }
    await publisher.close();

    const talks = () => talkerRoom.messages().filter((m) => m.mine);
    await waitFor(() => talks().length === TALKS && talks().every((m) => m.status === 'sent'), 'every talk acked', 60_000);
    const redis = await redisClient();
    const stream = await redis.sendCommand<[string, string[]][]>(['XRANGE', `${prefix}{chat:flood}:s`, '-', '+']);
    await redis.close();
    const expected = stream.map(([id]) => id);
    expect(expected).toHaveLength(FLOOD + TALKS);

    const chatIds = () => readerRoom.messages().map((m) => m.id);
    await waitFor(() => sseEvents.length >= expected.length, 'SSE to catch up', 60_000);
    await waitFor(() => polled.length >= expected.length, 'long poll to catch up', 60_000);
    await waitFor(() => chatIds().length >= expected.length, 'chat to catch up', 60_000);
    expect(sseEvents.map((e) => e.id)).toEqual(expected);
    expect(polled.map((e) => e.id)).toEqual(expected);
    expect(chatIds()).toEqual(expected);
    for (const gap of [sse.gap(), feed.gap(), reader.gap()]) expect(gap).toBeNull();

    // Each talk was acked once: one id each, each id once in the log.
    const talkIds = talks().map((m) => m.id);
    expect(new Set(talkIds).size).toBe(TALKS);
    expect(talkIds.every((id) => expected.includes(id!))).toBe(true);
    expect(talks().map((m) => m.text)).toEqual(Array.from({ length: TALKS }, (_, i) => `talk ${i}`));
    // The kill was mid-stream, and every client came back through the other instances.
    expect(deliveredAtKill).toBeLessThan(FLOOD);
    const after = proxy.routed.slice(routedAtKill);
    expect(after.length).toBeGreaterThanOrEqual(3); // SSE, long poll and two chat sockets reconnected
    expect(after.every((index) => index !== 0)).toBe(true);
  }, 240_000);
});
