import { PLATFORM_ID } from '@angular/core';
import { NotificationService, type RealtimeEvent } from 'ngx-realtime-signals';
import { REALTIME_FETCH } from '../provide/tokens';
import { createDemoServer } from '@demo-server/src/app';
import { loadConfig } from '@demo-server/src/config';
import { startServer, type StartedServer } from '@demo-server/test/support/server';
import { seededRandom, startCuttingProxy } from '../integration/cutting-proxy';
import { publish, realtimeInjector, refusingServer, waitFor } from '../integration/realtime-test-support';

type Note = { n: number };

function connectNotifications(baseUrl: string, topic: string) {
  const injector = realtimeInjector(baseUrl, [NotificationService]);
  const service = injector.get(NotificationService) as NotificationService<Note>;
  const seen: RealtimeEvent<Note>[] = [];
  service.events$.subscribe((e) => seen.push(e));
  service.connect(topic);
  return { injector, service, seen };
}

describe('NotificationService against the demo-server', () => {
  let server: StartedServer;

  beforeEach(async () => {
    server = await startServer({ SSE_RETRY_MS: '50' });
  });
  afterEach(async () => {
    await server.close();
  });

  it('learns the head position before any event, so events published while it is away still arrive', async () => {
    const first = await publish(server.url, 'quiet', { n: 0 });
    const { injector, service, seen } = connectNotifications(server.url, 'quiet');
    await waitFor(() => service.cursor() !== null, 'the starting position');
    expect(service.cursor()).toBe(first);
    expect(service.gap()).toBeNull();
    expect(seen).toEqual([]);
    injector.destroy();
  });

  it('receives published events in order over SSE', async () => {
    const { injector, service, seen } = connectNotifications(server.url, 'user:1');
    await waitFor(() => service.state() === 'open', 'the stream to open');
    const ids: string[] = [];
    for (let n = 0; n < 20; n++) ids.push(await publish(server.url, 'user:1', { n }));
    await waitFor(() => seen.length === 20, '20 events');
    expect(seen.map((e) => e.id)).toEqual(ids);
    expect(seen.map((e) => e.data.n)).toEqual([...Array(20).keys()]);
    expect(seen.every((e) => e.topic === 'user:1' && e.type === 'note')).toBe(true);
    expect(service.notifications()[0].id).toBe(ids[19]);
    expect(service.cursor()).toBe(ids[19]);
    injector.destroy();
    expect(service.state()).toBe('closed');
  });

  it('delivers every event exactly once and in order through a proxy that keeps cutting the connection', async () => {
    const proxy = await startCuttingProxy(server.url, { minBytes: 300, maxBytes: 2500, random: seededRandom(7) });
    const { injector, service, seen } = connectNotifications(proxy.url, 'flaky');
    // A stream opened without a cursor is told the server's position at once; from then on
    // nothing published can be missed, however often the proxy cuts before the first event.
    await waitFor(() => service.cursor() !== null, 'the starting position', 60000);
    const ids: string[] = [];
    for (let n = 0; n < 150; n++) {
      ids.push(await publish(server.url, 'flaky', { n }));
      if (n % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => seen.length >= ids.length, `${ids.length} events`, 60000).catch((err: Error) => {
      throw new Error(`${err.message}: got ${seen.length}, state ${service.state()}, ${proxy.cuts} cuts`);
    });
    expect(proxy.cuts).toBeGreaterThan(5);
    expect(seen.map((e) => e.id)).toEqual(ids);
    expect(new Set(seen.map((e) => e.id)).size).toBe(ids.length);
    expect(service.gap()).toBeNull();
    injector.destroy();
    await proxy.close();
  }, 90000);

  it('reports a gap after a server restart and keeps streaming from the new head', async () => {
    const { injector, service, seen } = connectNotifications(server.url, 'restart');
    await waitFor(() => service.state() === 'open', 'the stream to open');
    await publish(server.url, 'restart', { n: 1 });
    await waitFor(() => seen.length === 1, 'the first event');
    const port = Number(new URL(server.url).port);
    await server.close();
    await waitFor(() => service.state() === 'reconnecting', 'the client to notice');

    const next = createDemoServer(loadConfig({ LOG_LEVEL: 'silent', DEMO_SCENARIO: 'off', STATIC_DIR: '/nonexistent', SSE_RETRY_MS: '50' }));
    const url = await next.listen(port, '127.0.0.1');
    server = { url, server: next, close: () => next.close() };
    await waitFor(() => service.gap() !== null, 'the gap signal');
    await waitFor(() => service.state() === 'open', 'the stream to reopen');
    const id = await publish(url, 'restart', { n: 2 });
    await waitFor(() => seen.length === 2, 'the event from the new server');
    expect(seen[1].id).toBe(id);
    expect(service.gap()?.cursor).toBeTruthy();
    injector.destroy();
  });
});

describe('NotificationService failures and platforms', () => {
  it('goes to failed on 401 without retrying', async () => {
    const refusing = await refusingServer(401, { code: 'unauthorized', message: 'no' });
    const { injector, service } = connectNotifications(refusing.url, 'secret');
    await waitFor(() => service.state() === 'failed', 'failed');
    expect(service.lastError()).toMatchObject({ code: 'http_error', status: 401, serverCode: 'unauthorized', retryable: false });
    expect(service.nextRetryAt()).toBeNull();
    // the retry delay is at most 50 ms here: a retry would have happened within this wait
    await new Promise((r) => setTimeout(r, 300));
    expect(refusing.requests).toBe(1);
    injector.destroy();
    await refusing.close();
  });

  it('makes no request and stays idle on the server platform', async () => {
    const fetchSpy = jest.fn(globalThis.fetch);
    const injector = realtimeInjector('http://127.0.0.1:9', [NotificationService], undefined, [
      { provide: PLATFORM_ID, useValue: 'server' },
      { provide: REALTIME_FETCH, useValue: fetchSpy },
    ]);
    const service = injector.get(NotificationService);
    service.connect('anything');
    await new Promise((r) => setTimeout(r, 50));
    expect(service.state()).toBe('idle');
    expect(fetchSpy).not.toHaveBeenCalled();
    injector.destroy();
  });
});
