import 'zone.js';
import {
  EnvironmentInjector,
  Injector,
  NgZone,
  PLATFORM_ID,
  createEnvironmentInjector,
  ɵINJECTOR_SCOPE as INJECTOR_SCOPE,
} from '@angular/core';
import { LongPollService, NotificationService, provideRealtime, withFetch, withReconnect } from 'ngx-realtime-signals';

/**
 * With zone.js loaded and a real NgZone, connection work must run outside the
 * Angular zone: otherwise a waiting retry timer or a held request keeps the app
 * "unstable" forever and every chunk triggers change detection.
 */
describe('connection work under zone.js', () => {
  // By default the network is down: every request fails, so the services wait for a retry.
  function setup(answer: () => Promise<Response> = () => Promise.reject(new TypeError('fetch failed'))) {
    const zone = new NgZone({ enableLongStackTrace: false });
    const calls: boolean[] = [];
    const fetchImpl = (() => {
      calls.push(NgZone.isInAngularZone());
      return answer();
    }) as typeof fetch;
    const injector = createEnvironmentInjector(
      [
        { provide: INJECTOR_SCOPE, useValue: 'root' },
        { provide: NgZone, useValue: zone },
        { provide: PLATFORM_ID, useValue: 'browser' },
        NotificationService,
        LongPollService,
        provideRealtime(withFetch(fetchImpl), withReconnect({ initialDelayMs: 60_000, maxDelayMs: 60_000 })),
      ],
      Injector.NULL as EnvironmentInjector,
    );
    return { zone, calls, injector };
  }

  const settle = () => new Promise((r) => setTimeout(r, 10));

  it('opens streams and waits for retries outside the Angular zone, leaving the zone stable', async () => {
    const { zone, calls, injector } = setup();
    const service = injector.get(NotificationService);
    zone.run(() => service.connect('z'));
    await settle();
    // the stream, then at once its long-poll fallback: both outside the zone
    expect(calls).toEqual([false, false]);
    expect(service.state()).toBe('reconnecting');
    expect(zone.hasPendingMacrotasks).toBe(false);
    expect(zone.isStable).toBe(true);
    injector.destroy();
  });

  it('polls outside the Angular zone', async () => {
    const { zone, calls, injector } = setup();
    const feed = zone.run(() => injector.get(LongPollService).watch('z'));
    await settle();
    expect(calls).toEqual([false]);
    expect(feed.state()).toBe('reconnecting');
    expect(zone.hasPendingMacrotasks).toBe(false);
    injector.destroy();
  });

  it('hands events to events$ subscribers inside the Angular zone', async () => {
    const body = 'id: a1\ndata: {"id":"a1","topic":"z","type":"note","data":1,"ts":1}\n\n';
    const { zone, injector } = setup(async () => ({
      status: 200,
      headers: new Map([['content-type', 'text/event-stream']]),
      body: {
        getReader: () => {
          let sent = false;
          return {
            read: () => (sent ? new Promise(() => undefined) : ((sent = true), Promise.resolve({ done: false, value: new TextEncoder().encode(body) }))),
            releaseLock: () => undefined,
          };
        },
        cancel: () => Promise.resolve(),
      },
    }) as unknown as Response);
    const service = injector.get(NotificationService);
    const inZone: boolean[] = [];
    service.events$.subscribe(() => inZone.push(NgZone.isInAngularZone()));
    zone.run(() => service.connect('z'));
    await settle();
    expect(inZone).toEqual([true]);
    expect(service.notifications().map((n) => n.id)).toEqual(['a1']);
    injector.destroy();
  });
});
