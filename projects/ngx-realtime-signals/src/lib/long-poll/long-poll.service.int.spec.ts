import { PLATFORM_ID } from '@angular/core';
import { LongPollService, type LongPollFeed, type RealtimeEvent } from 'ngx-realtime-signals';
import { REALTIME_FETCH } from '../provide/tokens';
import { createDemoServer } from '@demo-server/src/app';
import { loadConfig } from '@demo-server/src/config';
import { startServer, type StartedServer } from '@demo-server/test/support/server';
import { seededRandom, startCuttingProxy } from '../integration/cutting-proxy';
import { publish, realtimeInjector, refusingServer, waitFor } from '../integration/realtime-test-support';

type Order = { n: number };

function watch(baseUrl: string, topic: string, limit = 100) {
  const injector = realtimeInjector(baseUrl, [LongPollService]);
  const feed = injector.get(LongPollService).watch<Order>(topic, { timeoutMs: 2000, limit });
  const seen: RealtimeEvent<Order>[] = [];
  feed.events$.subscribe((e) => seen.push(e));
  return { injector, feed, seen };
}

/** Long polling starts "from now": wait until the first poll brought back the head cursor. */
const ready = (feed: LongPollFeed<Order>) => waitFor(() => feed.state() === 'open' && feed.cursor() !== null, 'the feed to open');

describe('LongPollService against the demo-server', () => {
  let server: StartedServer;

  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('receives published events in order', async () => {
    const { injector, feed, seen } = watch(server.url, 'orders');
    await ready(feed);
    const ids: string[] = [];
    for (let n = 0; n < 30; n++) ids.push(await publish(server.url, 'orders', { n }));
    await waitFor(() => seen.length === 30, '30 events');
    expect(seen.map((e) => e.id)).toEqual(ids);
    expect(feed.events().map((e) => e.data.n)).toEqual([...Array(30).keys()]);
    expect(feed.latest()?.id).toBe(ids[29]);
    injector.destroy();
    expect(feed.state()).toBe('closed');
  });

  it('delivers every event exactly once and in order through a proxy that keeps cutting the connection', async () => {
    // Small answers (limit 5) so that some polls fit in a connection's byte budget and others are cut mid-answer.
    const proxy = await startCuttingProxy(server.url, { minBytes: 300, maxBytes: 4000, random: seededRandom(11) });
    const { injector, feed, seen } = watch(proxy.url, 'flaky', 5);
    await ready(feed);
    const ids: string[] = [];
    for (let n = 0; n < 150; n++) {
      ids.push(await publish(server.url, 'flaky', { n }));
      if (n % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => seen.length >= ids.length, `${ids.length} events`, 60000).catch((err: Error) => {
      throw new Error(`${err.message}: got ${seen.length}, state ${feed.state()}, ${proxy.cuts} cuts`);
    });
    expect(proxy.cuts).toBeGreaterThan(5);
    expect(seen.map((e) => e.id)).toEqual(ids);
    injector.destroy();
    await proxy.close();
  }, 90000);

  it('reports a gap after a server restart and keeps polling from the new head', async () => {
    const { injector, feed, seen } = watch(server.url, 'restart');
    await ready(feed);
    await publish(server.url, 'restart', { n: 1 });
    await waitFor(() => seen.length === 1, 'the first event');
    const port = Number(new URL(server.url).port);
    await server.close();
    await waitFor(() => feed.state() === 'reconnecting', 'the client to notice');

    const next = createDemoServer(loadConfig({ LOG_LEVEL: 'silent', DEMO_SCENARIO: 'off', STATIC_DIR: '/nonexistent' }));
    const url = await next.listen(port, '127.0.0.1');
    server = { url, server: next, close: () => next.close() };
    await waitFor(() => feed.gap() !== null, 'the gap signal');
    await waitFor(() => feed.state() === 'open', 'the feed to reopen');
    const id = await publish(url, 'restart', { n: 2 });
    await waitFor(() => seen.length === 2, 'the event from the new server');
    expect(seen[1].id).toBe(id);
    injector.destroy();
  });
});

describe('LongPollService failures and platforms', () => {
  it('goes to failed on 401 without retrying', async () => {
    const refusing = await refusingServer(401, { code: 'unauthorized', message: 'token missing' });
    const { injector, feed } = watch(refusing.url, 'secret');
    await waitFor(() => feed.state() === 'failed', 'failed');
    expect(feed.lastError()).toEqual({ code: 'http_error', message: 'token missing', status: 401, serverCode: 'unauthorized', retryable: false });
    await new Promise((r) => setTimeout(r, 300));
    expect(refusing.requests).toBe(1);
    injector.destroy();
    await refusing.close();
  });

  it('makes no request and stays idle on the server platform', async () => {
    const fetchSpy = jest.fn(globalThis.fetch);
    const injector = realtimeInjector('http://127.0.0.1:9', [LongPollService], undefined, [
      { provide: PLATFORM_ID, useValue: 'server' },
      { provide: REALTIME_FETCH, useValue: fetchSpy },
    ]);
    const feed = injector.get(LongPollService).watch('anything');
    await new Promise((r) => setTimeout(r, 50));
    expect(feed.state()).toBe('idle');
    expect(fetchSpy).not.toHaveBeenCalled();
    injector.destroy();
  });
});
