import type { RedisEventLog } from 'ngx-realtime-signals-server';
import { ChatTestClient } from './support/chat-client';
import { startInstanceProcess } from './support/instance-process';
import { publish, publishOk, rawRequest, waitFor } from './support/http-client';
import {
  deleteKeys,
  randomKeyPrefix,
  redisClient,
  REDIS_TEST_URL,
  startOwnRedis,
  type OwnRedis,
} from '../../projects/ngx-realtime-signals-server/test/support/redis';
import { startServer, type StartedServer } from './support/server';
import { openSse, payload, type SseReader } from './support/sse-reader';
import { startTcpRelay, type TcpRelay } from '../../projects/ngx-realtime-signals-server/test/support/tcp-relay';

/** A demo-server instance on the Redis log at `url`; resolves once its Redis connections are up. */
async function startInstance(url: string, prefix: string, env: Record<string, string> = {}): Promise<StartedServer> {
  const started = await startServer({ REDIS_URL: url, REDIS_KEY_PREFIX: prefix, REDIS_COMMAND_TIMEOUT_MS: '1000', ...env });
  await (started.server.log as RedisEventLog).ready();
  return started;
}

/** Long polls `topic` on `url` from `cursor` until stopped, collecting every event id. */
function pollLoop(url: string, topic: string, cursor: string) {
  const ids: string[] = [];
  const answers: { reset?: true }[] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const answer = await rawRequest(url, { path: `/api/poll/${topic}?cursor=${cursor}&timeout=500` });
      if (answer.status !== 200) throw new Error(`poll answered ${answer.status}: ${answer.text}`);
      answers.push(answer.json);
      ids.push(...answer.json.events.map((event: { id: string }) => event.id));
      cursor = answer.json.cursor;
    }
  })();
  return {
    ids,
    answers,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

const sseIds = (reader: SseReader) => reader.events.filter((e) => e.event !== 'reset').map((e) => payload(e).id as string);
/** Stream ids `<ms>-<seq>` in log order. */
const byLogOrder = (ids: string[]) =>
  [...ids].sort((a, b) => {
    const [am, as] = a.split('-').map(Number);
    const [bm, bs] = b.split('-').map(Number);
    return am - bm || as - bs;
  });

describe('demo-server instances sharing one Redis', () => {
  const prefix = randomKeyPrefix();
  const instances: StartedServer[] = [];
  const clients: ChatTestClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    await Promise.all(instances.splice(0).map((instance) => instance.close()));
  });
  afterAll(async () => {
    const redis = await redisClient();
    await deleteKeys(redis, prefix);
    await redis.close();
  });

  it('delivers every event published on any instance to SSE on A, long poll on B and chat on C, once and in order', async () => {
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => startInstance(REDIS_TEST_URL, prefix)));
    instances.push(a, b, c);
    const sse = await openSse(a.url, '/api/events/chat:hall');
    const start = sse.positions[0] ?? (await rawRequest(b.url, { path: '/api/poll/chat:hall?timeout=0' })).json.cursor;
    const poll = pollLoop(b.url, 'chat:hall', start);
    const member = await ChatTestClient.connect(`${c.url.replace('http', 'ws')}/api/chat?name=cleo`);
    clients.push(member);
    await member.join('hall');
    const speaker = await ChatTestClient.connect(`${a.url.replace('http', 'ws')}/api/chat?name=abe`);
    clients.push(speaker);
    await speaker.join('hall');

    const published: string[] = [];
    for (let i = 0; i < 30; i++) {
      published.push(await publishOk([a, b, c][i % 3].url, 'chat:hall', 'note', { i }));
      if (i % 10 === 0) published.push((await speaker.say('hall', `say-${i}`, `hello ${i}`)).id);
    }
    const expected = byLogOrder(published);
    expect(expected).toEqual(published); // appends answered in turn are in log order

    const messageIds = () => member.all('message').map((frame) => frame.event.id as string);
    await waitFor(() => sseIds(sse).length >= expected.length, 'the SSE reader on A');
    await waitFor(() => poll.ids.length >= expected.length, 'the long poll on B');
    await waitFor(() => messageIds().length >= expected.length, 'the chat member on C');
    await member.sync();
    await poll.stop();
    sse.close();
    expect(sseIds(sse)).toEqual(expected);
    expect(poll.ids).toEqual(expected);
    expect(messageIds()).toEqual(expected);
  });

  it('answers a chat send retried on another instance with the original ack, and broadcasts it once', async () => {
    const [a, b] = await Promise.all([0, 1].map(() => startInstance(REDIS_TEST_URL, prefix)));
    instances.push(a, b);
    const onA = await ChatTestClient.connect(`${a.url.replace('http', 'ws')}/api/chat?name=ana`);
    const onB = await ChatTestClient.connect(`${b.url.replace('http', 'ws')}/api/chat?name=ana`);
    const watcher = await ChatTestClient.connect(`${b.url.replace('http', 'ws')}/api/chat?name=wes`);
    clients.push(onA, onB, watcher);
    for (const client of [onA, onB, watcher]) await client.join('retry');

    const first = await onA.say('retry', 'client-id-1', 'only once');
    const retried = await onB.say('retry', 'client-id-1', 'only once');
    expect(retried.id).toBe(first.id);
    await watcher.say('retry', 'marker', 'after');
    await watcher.next('message', (frame) => frame.event.data.clientId === 'marker');
    expect(watcher.all('message', (frame) => frame.event.data.clientId === 'client-id-1')).toHaveLength(1);
  });

  it('keeps presence and typing global, and lets the users of a crashed instance leave', async () => {
    const env = { PRESENCE_TTL_MS: '1500', PRESENCE_WINDOW_MS: '20' };
    const [a, b] = await Promise.all([0, 1].map(() => startInstance(REDIS_TEST_URL, prefix, env)));
    instances.push(a, b);
    const crashing = await startInstanceProcess({ REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: prefix, ...env });
    try {
      const ws = (url: string, name: string) => `${url.replace('http', 'ws')}/api/chat?name=${name}`;
      const ada = await ChatTestClient.connect(ws(a.url, 'ada'));
      clients.push(ada);
      await ada.join('plaza');
      const bob = await ChatTestClient.connect(ws(b.url, 'bob'));
      const bobAgain = await ChatTestClient.connect(ws(a.url, 'bob'));
      clients.push(bob, bobAgain);
      const bobJoined = await bob.join('plaza');
      expect(bobJoined).toEqual(expect.objectContaining({ members: ['ada', 'bob'], count: 2 }));
      await bobAgain.join('plaza'); // the same user through a second instance counts once
      await ada.next('presence', (frame) => frame.joined?.includes('bob') && frame.count === 2);

      const cara = await ChatTestClient.connect(ws(crashing.url, 'cara'));
      expect(await cara.join('plaza')).toEqual(expect.objectContaining({ members: ['ada', 'bob', 'cara'], count: 3 }));
      await ada.next('presence', (frame) => frame.joined?.includes('cara') && frame.count === 3);

      bob.send({ type: 'typing', room: 'plaza' });
      await ada.next('typing', (frame) => frame.user === 'bob');
      expect(bob.all('typing')).toEqual([]);

      await crashing.kill();
      await ada.next('presence', (frame) => frame.left?.includes('cara') && frame.count === 2, 15_000);
      const late = await ChatTestClient.connect(ws(b.url, 'dan'));
      clients.push(late);
      expect(await late.join('plaza')).toEqual(expect.objectContaining({ members: ['ada', 'bob', 'dan'], count: 3 }));
      await bob.close();
      await bobAgain.close();
      await ada.next('presence', (frame) => frame.left?.includes('bob') && frame.count === 2);
    } finally {
      await crashing.kill();
    }
  }, 60_000);

  describe('when Redis fails', () => {
    let redis: OwnRedis;
    let relay: TcpRelay;

    beforeEach(async () => {
      redis = await startOwnRedis();
      relay = await startTcpRelay(redis.port);
    });
    afterEach(async () => {
      await Promise.all(instances.splice(0).map((instance) => instance.close()));
      await relay.close();
      await redis.stop();
    });

    it('keeps the clients of an instance that lost Redis, answers 503, and catches up without loss when it returns', async () => {
      const a = await startInstance(redis.url, prefix);
      const b = await startInstance(`redis://${relay.address}`, prefix);
      instances.push(a, b);
      const sse = await openSse(b.url, '/api/events/outage');
      const before = await publishOk(a.url, 'outage', 'n', 0);
      await waitFor(() => sseIds(sse).includes(before), 'the first event on B');

      relay.cut();
      await waitFor(async () => (await rawRequest(b.url, { path: '/api/health' })).status === 503, 'B to report degraded');
      const health = await rawRequest(b.url, { path: '/api/health' });
      expect(health.json).toEqual(
        expect.objectContaining({
          status: 'degraded',
          log: 'redis',
          detail: expect.stringContaining('publishes get 503 log_unavailable'),
          logCounters: expect.objectContaining({ disconnects: expect.any(Number) }),
        }),
      );
      // B still serves (JSON 503 to publishers, readers stay), so a load balancer keeps it in its pool.
      const ready = await rawRequest(b.url, { path: '/api/health/ready' });
      expect([ready.status, ready.json]).toEqual([200, { status: 'ready', log: 'degraded' }]);
      const refused = await publish(b.url, 'outage', 'n', { lost: true });
      expect(refused.status).toBe(503);
      expect(refused.json.error.code).toBe('log_unavailable');
      expect(refused.headers['retry-after']).toBe('1');

      const meanwhile: string[] = [];
      for (let i = 1; i <= 20; i++) meanwhile.push(await publishOk(a.url, 'outage', 'n', i));
      relay.restore();
      await waitFor(() => sseIds(sse).length === 21, 'B to deliver what A logged meanwhile', 20_000);
      expect(sseIds(sse)).toEqual([before, ...meanwhile]);
      expect(sse.events.some((event) => event.event === 'reset')).toBe(false);
      await waitFor(async () => (await rawRequest(b.url, { path: '/api/health' })).status === 200, 'B to report ok');
      const metrics = (await rawRequest(b.url, { path: '/metrics' })).text;
      expect(metrics).toMatch(/^realtime_log_failures_total\{operation="append"\} [1-9]/m);
      expect(metrics).toMatch(/^realtime_log_disconnects_total [1-9]/m);
      expect(metrics).toMatch(/^realtime_log_up 1$/m);
      sse.close();
    });

    it('announces a reset on every transport after Redis restarts empty, never a silent skip', async () => {
      const a = await startInstance(redis.url, prefix);
      instances.push(a);
      const ws = `${a.url.replace('http', 'ws')}/api/chat?name=rita`;
      const sse = await openSse(a.url, '/api/events/chat:restart');
      const member = await ChatTestClient.connect(ws);
      clients.push(member);
      await member.join('restart');
      const old = await publishOk(a.url, 'chat:restart', 'n', 'before');
      await waitFor(() => sseIds(sse).includes(old), 'the event live');

      await redis.kill();
      await redis.start();
      // The live readers are told to resume: SSE ends, chat closes with 1012 (service restart).
      await sse.ended;
      expect((await member.closed).code).toBe(1012);
      await waitFor(async () => (await rawRequest(a.url, { path: '/api/health' })).status === 200, 'A to reconnect', 20_000);
      const fresh = await publishOk(a.url, 'chat:restart', 'n', 'after');

      const resumed = await openSse(a.url, '/api/events/chat:restart', { headers: { 'last-event-id': old } });
      await waitFor(() => sseIds(resumed).includes(fresh), 'the resumed SSE reader');
      expect(resumed.events[0].event).toBe('reset');
      expect(sseIds(resumed)).toEqual([fresh]);
      resumed.close();
      const polled = await rawRequest(a.url, { path: `/api/poll/chat:restart?cursor=${old}&timeout=0` });
      expect(polled.json).toEqual({ events: [expect.objectContaining({ id: fresh })], cursor: fresh, reset: true });
      const again = await ChatTestClient.connect(ws);
      clients.push(again);
      const joined = await again.join('restart', old);
      expect(joined).toEqual(expect.objectContaining({ reset: true, history: [expect.objectContaining({ id: fresh })] }));
      const metrics = (await rawRequest(a.url, { path: '/metrics' })).text;
      expect(metrics).toMatch(/^realtime_log_resets_total [1-9]/m);
    });
  });
});
