import { Injectable, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import {
  provideRealtime,
  withAuthToken,
  withBaseUrl,
  withBuffers,
  withFetch,
  withHeartbeat,
  withReconnect,
} from 'ngx-realtime-signals';
import { RealtimeTransports } from '../core/transports/realtime-transports';
import { REALTIME_CONFIG, REALTIME_FETCH } from './tokens';

@Injectable({ providedIn: 'root' })
class Session {
  token = 'from-di';
}

describe('provideRealtime', () => {
  it('applies defaults when given nothing', () => {
    TestBed.configureTestingModule({ providers: [provideRealtime()] });
    const config = TestBed.inject(REALTIME_CONFIG);
    expect(config).toMatchObject({
      baseUrl: '/api',
      reconnect: { initialDelayMs: 1000, maxDelayMs: 30000, multiplier: 2, maxAttempts: Infinity },
      buffers: { notifications: 200, messages: 500, events: 200 },
      heartbeatMs: 15000,
      authToken: null,
    });
    // no seam: each service opens its own transport, so an app bundles only the ones it injects
    expect(TestBed.inject(RealtimeTransports, null)).toBeNull();
  });

  it('merges an options object field by field', () => {
    TestBed.configureTestingModule({
      providers: [provideRealtime({ baseUrl: 'https://x.test/api/', reconnect: { maxAttempts: 3 }, buffers: { events: 9 } })],
    });
    const config = TestBed.inject(REALTIME_CONFIG);
    expect(config.baseUrl).toBe('https://x.test/api');
    expect(config.reconnect).toEqual({ initialDelayMs: 1000, maxDelayMs: 30000, multiplier: 2, maxAttempts: 3 });
    expect(config.buffers).toEqual({ notifications: 200, messages: 500, events: 9 });
  });

  it('combines features, later ones winning', () => {
    const fetchImpl = jest.fn();
    TestBed.configureTestingModule({
      providers: [
        provideRealtime(
          withBaseUrl('/a'),
          withReconnect({ initialDelayMs: 5 }),
          withReconnect({ maxDelayMs: 50 }),
          withBuffers({ notifications: 1 }),
          withHeartbeat(1000),
          withBaseUrl('/b'),
          withFetch(fetchImpl as unknown as typeof fetch),
        ),
      ],
    });
    const config = TestBed.inject(REALTIME_CONFIG);
    expect(config.baseUrl).toBe('/b');
    expect(config.reconnect).toMatchObject({ initialDelayMs: 5, maxDelayMs: 50 });
    expect(config.buffers.notifications).toBe(1);
    expect(config.heartbeatMs).toBe(1000);
    void TestBed.inject(REALTIME_FETCH)('/x');
    expect(fetchImpl).toHaveBeenCalledWith('/x', undefined);
  });

  it('runs the token function in the injection context', async () => {
    TestBed.configureTestingModule({ providers: [provideRealtime(withAuthToken(() => inject(Session).token))] });
    expect(await TestBed.inject(REALTIME_CONFIG).authToken?.()).toBe('from-di');
  });
});
