import { LogUnavailableError, type LoggedEvent } from '../src/log/event-log';
import { RedisEventLog, type RedisEventLogOptions } from '../src/log/redis-log';
import { deleteKeys, randomKeyPrefix, redisClient, REDIS_TEST_URL, type TestRedisClient } from './support/redis';

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('RedisEventLog', () => {
  const prefix = randomKeyPrefix();
  const logs: RedisEventLog[] = [];
  let redis: TestRedisClient;

  async function open(options: Partial<RedisEventLogOptions> = {}): Promise<RedisEventLog> {
    const log = new RedisEventLog({ url: REDIS_TEST_URL, historyLimit: 1000, keyPrefix: prefix, blockMs: 1000, ...options });
    logs.push(log);
    await log.ready();
    return log;
  }

  beforeAll(async () => {
    redis = await redisClient();
  });
  afterEach(async () => {
    await Promise.all(logs.splice(0).map((log) => log.close()));
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.close();
  });

  it('uses the stream ids as event ids, strictly increasing and the same on every instance', async () => {
    const a = await open();
    const b = await open();
    const first = await a.append('ids', 'note', { n: 1 });
    const second = await b.append('ids', 'note', { n: 2 });
    expect(first.id).toMatch(/^[1-9][0-9]*-[0-9]+$/);
    expect(a.compare(first.id, second.id)).toBeLessThan(0);
    const fromB = await b.read('ids', first.id, 10);
    expect(fromB).toEqual({ events: [expect.objectContaining({ id: second.id, data: { n: 2 } })], cursor: second.id, reset: false });
    const xrange = await redis.sendCommand<[string, string[]][]>(['XRANGE', a.streamKey('ids'), '-', '+']);
    expect(xrange.map(([id]) => id)).toEqual([first.id, second.id]);
  });

  it('gives an empty topic a head that resumes without a gap once events arrive', async () => {
    const log = await open();
    const head = await log.head('empty-then-not');
    expect(head).toMatch(/^0-[1-9][0-9]*$/);
    expect(await log.read('empty-then-not', head, 10)).toEqual({ events: [], cursor: head, reset: false });
    const event = await log.append('empty-then-not', 'note', null);
    expect(await log.read('empty-then-not', head, 10)).toEqual({ events: [event], cursor: event.id, reset: false });
  });

  it('keeps at least HISTORY_LIMIT and at most 1.1 times as many events', async () => {
    const log = await open({ historyLimit: 1000 });
    const first = await log.append('bounded', 'n', 0);
    for (let i = 1; i < 2500; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => log.append('bounded', 'n', i + j)));
    }
    const length = Number(await redis.sendCommand(['XLEN', log.streamKey('bounded')]));
    expect(length).toBeGreaterThanOrEqual(1000);
    expect(length).toBeLessThanOrEqual(1100);
    const result = await log.read('bounded', first.id, 2000);
    expect(result.reset).toBe(true);
    expect(result.events).toHaveLength(length);
    // The reset position is just before the oldest retained event, and resuming from it is no gap.
    const again = await log.read('bounded', result.resetTo!, 5);
    expect(again.reset).toBe(false);
    expect(again.events[0]).toEqual(result.events[0]);
  });

  it('keeps the bound for small limits too, and treats the newest trimmed event as no gap', async () => {
    const log = await open({ historyLimit: 10 });
    const events: LoggedEvent[] = [];
    for (let i = 0; i < 25; i++) events.push(await log.append('small', 'n', i));
    const retained = Number(await redis.sendCommand(['XLEN', log.streamKey('small')]));
    expect(retained).toBeGreaterThanOrEqual(10);
    expect(retained).toBeLessThanOrEqual(11);
    const firstKept = events.length - retained;
    // Nothing after the newest trimmed event is gone, so it is still a cursor; the one before is a gap.
    expect(await log.read('small', events[firstKept - 1].id, 100)).toEqual({
      events: events.slice(firstKept).map((e) => expect.objectContaining({ id: e.id, data: e.data })),
      cursor: events[24].id,
      reset: false,
    });
    expect((await log.read('small', events[firstKept - 2].id, 100)).reset).toBe(true);
  });

  it('announces a gap for a cursor from a lost data set, a lost stream, or past the head', async () => {
    const log = await open();
    const event = await log.append('lost', 'n', 1);
    const emptyHead = await log.head('never-written');
    expect((await log.read('lost', '99999999999999-0', 10)).reset).toBe(true);
    await redis.del(log.streamKey('lost'));
    const afterLoss = await log.read('lost', event.id, 10);
    expect(afterLoss).toEqual({ events: [], cursor: afterLoss.resetTo, reset: true, resetTo: expect.stringMatching(/^0-/) });
    // Redis lost everything (its epoch included): a head issued before is a gap too.
    await redis.del(`${prefix}epoch`);
    expect((await log.read('never-written', emptyHead, 10)).reset).toBe(true);
  });

  it('refuses ids it could never issue', async () => {
    const log = await open();
    for (const bad of ['abc', '1-', '-1', '01-1', '1-2-3', '99999999999999999-0', 'wt77i8xxw5-2']) {
      expect(log.isValidCursor(bad)).toBe(false);
    }
    expect(log.isValidCursor('1700000000000-0')).toBe(true);
    await expect(log.read('x', 'abc', 1)).rejects.toThrow(RangeError);
  });

  it('delivers events appended on another instance to every subscriber through one read loop', async () => {
    const reader = await open();
    const writer = await open();
    const received = new Map<string, string[]>();
    const topics = Array.from({ length: 20 }, (_, i) => `fan-${i}`);
    for (const topic of topics) {
      for (let s = 0; s < 5; s++) {
        const key = `${topic}/${s}`;
        received.set(key, []);
        reader.subscribe(topic, (event) => received.get(key)!.push(event.id));
      }
      await reader.head(topic); // subscribe-then-read: the live start is fixed once this answers
    }
    const appended = new Map<string, string[]>();
    for (const topic of topics) {
      appended.set(topic, []);
      for (let i = 0; i < 3; i++) appended.get(topic)!.push((await writer.append(topic, 'n', i)).id);
    }
    await waitFor(() => [...received.values()].every((ids) => ids.length === 3), 'every subscriber to get its 3 events');
    for (const [key, ids] of received) expect(ids).toEqual(appended.get(key.split('/')[0]));
    const clients = String(await redis.sendCommand(['CLIENT', 'LIST']));
    const fanOut = clients.split('\n').filter((line) => line.includes(`name=ngx-realtime-signals-fan-out-${reader.instanceId}`));
    expect(fanOut).toHaveLength(1);
  });

  it('misses nothing between subscribe and read while another instance appends', async () => {
    const writer = await open();
    const reader = await open();
    let stop = false;
    const written: string[] = [];
    const writing = (async () => {
      while (!stop) written.push((await writer.append('race', 'n', written.length)).id);
    })();
    await waitFor(() => written.length > 20, 'some events before subscribing');
    const live: string[] = [];
    reader.subscribe('race', (event) => live.push(event.id));
    const read = await reader.read('race', written[5], 100_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    stop = true;
    await writing;
    await waitFor(() => live.includes(written[written.length - 1]), 'the last event live');
    const seen = [...read.events.map((e) => e.id), ...live.filter((id) => reader.compare(id, read.cursor) > 0)];
    expect(seen).toEqual(written.slice(6));
  });

  it('appends a key once across instances and answers every attempt with the same id', async () => {
    const a = await open();
    const b = await open();
    const outcomes = await Promise.all([
      a.appendOnce('chat:dedup', 'message', { text: 'hi' }, 'client-1'),
      b.appendOnce('chat:dedup', 'message', { text: 'hi' }, 'client-1'),
      b.appendOnce('chat:dedup', 'message', { text: 'hi' }, 'client-1'),
    ]);
    expect(new Set(outcomes.map((o) => o.id)).size).toBe(1);
    expect(outcomes.filter((o) => o.fresh)).toHaveLength(1);
    expect(Number(await redis.sendCommand(['XLEN', a.streamKey('chat:dedup')]))).toBe(1);
  });

  it.each([
    [{ url: 'http://127.0.0.1:6379' }, /url must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ historyLimit: 0 }, /historyLimit must be a positive integer/],
    [{ keyPrefix: 'a b' }, /keyPrefix must be 1..64 characters/],
    [{ commandTimeoutMs: 0 }, /commandTimeoutMs must be a positive integer/],
    [{ presenceTtlMs: 1.5 }, /presenceTtlMs must be a positive integer/],
  ])('refuses the option %o with a message naming it', (bad, message) => {
    expect(() => new RedisEventLog({ url: REDIS_TEST_URL, historyLimit: 10, ...bad })).toThrow(message);
  });

  it('fails an append at once with LogUnavailableError while Redis is unreachable, and reports degraded', async () => {
    const log = new RedisEventLog({ url: 'redis://127.0.0.1:1', historyLimit: 10, keyPrefix: prefix, reconnectMaxDelayMs: 100 });
    logs.push(log);
    await expect(log.append('t', 'n', 1)).rejects.toBeInstanceOf(LogUnavailableError);
    expect(log.status()).toEqual(expect.objectContaining({ kind: 'redis', state: 'degraded' }));
    expect(log.status().counters!.failures['append']).toBe(1);
  });
});
