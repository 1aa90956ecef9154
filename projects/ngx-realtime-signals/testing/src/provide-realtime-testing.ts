import { type EnvironmentProviders, makeEnvironmentProviders } from '@angular/core';
import {
  provideRealtime,
  type RealtimeFeature,
  type RealtimeOptions,
  ɵREALTIME_FRAME_ALIGNED as REALTIME_FRAME_ALIGNED,
  ɵRealtimeTransports as RealtimeTransports,
} from 'ngx-realtime-signals';
import { RealtimeTestingController } from './realtime-testing-controller';
import { TestingRealtimeTransports } from './testing-transports';

/**
 * Sets up the library for unit tests: the real services with their real state,
 * cursor, dedup and outbox logic, over transports that the test drives through
 * {@link RealtimeTestingController} instead of the network. Takes the same options
 * or features as `provideRealtime`. List it after any `provideRealtime(...)` so
 * its transports win. What a burst delivers reaches the signals after a microtask
 * (in a page, the services wait for the next animation frame once they have written
 * in the current one).
 *
 * @example
 * ```ts
 * TestBed.configureTestingModule({
 *   providers: [provideRealtimeTesting(withReconnect({ initialDelayMs: 0 }))],
 * });
 * const realtime = TestBed.inject(RealtimeTestingController);
 * // or, as with provideRealtime, one options object, optionally followed by features
 * provideRealtimeTesting({ baseUrl: '/rt' }, withReconnect({ initialDelayMs: 0 }));
 * ```
 */
export function provideRealtimeTesting(options?: RealtimeOptions): EnvironmentProviders;
export function provideRealtimeTesting(...features: RealtimeFeature[]): EnvironmentProviders;
export function provideRealtimeTesting(options: RealtimeOptions, ...features: RealtimeFeature[]): EnvironmentProviders;
export function provideRealtimeTesting(...args: (RealtimeOptions | RealtimeFeature | undefined)[]): EnvironmentProviders {
  const realtime = (provideRealtime as (...a: (RealtimeOptions | RealtimeFeature | undefined)[]) => EnvironmentProviders)(...args);
  return makeEnvironmentProviders([
    realtime,
    TestingRealtimeTransports,
    { provide: RealtimeTransports, useExisting: TestingRealtimeTransports },
    RealtimeTestingController,
    // a test sees each burst after a microtask, as it happens, without waiting for animation frames
    { provide: REALTIME_FRAME_ALIGNED, useValue: false },
  ]);
}
