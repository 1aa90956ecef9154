import type { Provider } from '@angular/core';
import type { ReconnectOptions } from '../core/reconnect-policy';
import type { RealtimeTransportKind, TransportFallbackOptions } from '../core/transports/transport-kind';
import type { AuthTokenFn, BufferSizes, RealtimeOptions } from './options';
import { REALTIME_FETCH, REALTIME_WEBSOCKET } from './tokens';

/**
 * What a {@link RealtimeFeature} configures: one kind per `with*` function.
 *
 * @example
 * ```ts
 * // withAuthToken(...) makes a feature of kind 'authToken'
 * const kinds: RealtimeFeatureKind[] = ['baseUrl', 'authToken'];
 * ```
 */
export type RealtimeFeatureKind =
  | 'baseUrl'
  | 'reconnect'
  | 'authToken'
  | 'buffers'
  | 'heartbeat'
  | 'fetch'
  | 'webSocket'
  | 'endpoints'
  | 'transports'
  | 'tabSharing';

/**
 * One piece of configuration for `provideRealtime`, made by a `with*` function.
 * Its contents are private (the `ɵ` members): build features with the `with*`
 * functions, never by hand.
 *
 * @example
 * ```ts
 * const features: RealtimeFeature[] = [withBaseUrl('/rt'), withHeartbeat(10_000)];
 * provideRealtime(...features);
 * ```
 */
export interface RealtimeFeature {
  readonly ɵkind: RealtimeFeatureKind;
  readonly ɵoptions: RealtimeOptions;
  readonly ɵproviders: readonly Provider[];
}

function feature(kind: RealtimeFeatureKind, options: RealtimeOptions, providers: Provider[] = []): RealtimeFeature {
  return { ɵkind: kind, ɵoptions: options, ɵproviders: providers };
}

/**
 * Base of every URL (default `/api`); relative or absolute.
 *
 * @example
 * ```ts
 * provideRealtime(withBaseUrl('https://rt.example.com/api'));
 * ```
 */
export function withBaseUrl(url: string): RealtimeFeature {
  return feature('baseUrl', { baseUrl: url });
}

/**
 * The reconnect policy shared by all three services.
 *
 * @example
 * ```ts
 * provideRealtime(withReconnect({ maxDelayMs: 10_000, maxAttempts: 30 }));
 * ```
 */
export function withReconnect(options: Partial<ReconnectOptions>): RealtimeFeature {
  return feature('reconnect', { reconnect: options });
}

/**
 * A token function called before every (re)connect, in the injection context.
 *
 * @example
 * ```ts
 * provideRealtime(withAuthToken(() => inject(AuthService).accessToken()));
 * ```
 */
export function withAuthToken(fn: AuthTokenFn): RealtimeFeature {
  return feature('authToken', { authToken: fn });
}

/**
 * Bounds of the data signals.
 *
 * @example
 * ```ts
 * provideRealtime(withBuffers({ notifications: 50, events: 1000 }));
 * ```
 */
export function withBuffers(sizes: Partial<BufferSizes>): RealtimeFeature {
  return feature('buffers', { buffers: sizes });
}

/**
 * The server's heartbeat interval; a stream silent for twice as long is restarted.
 * `0` turns the watchdog off for every stream; `withEndpoints` and
 * `NotificationService.connect(topic, { heartbeatMs })` set it per stream.
 *
 * @example
 * ```ts
 * provideRealtime(withHeartbeat(30_000));
 * ```
 */
export function withHeartbeat(ms: number): RealtimeFeature {
  return feature('heartbeat', { heartbeatMs: ms });
}

/**
 * The `fetch` implementation for SSE and long polling (e.g. Node's in tests).
 *
 * @example
 * ```ts
 * provideRealtime({ baseUrl: url + '/api' }, withFetch(globalThis.fetch));
 * ```
 */
export function withFetch(fetchImpl: typeof fetch): RealtimeFeature {
  const bound: typeof fetch = (input, init) => fetchImpl(input, init);
  return feature('fetch', {}, [{ provide: REALTIME_FETCH, useValue: bound }]);
}

/**
 * The `WebSocket` constructor for chat (e.g. the `ws` package in Node).
 *
 * @example
 * ```ts
 * provideRealtime(withWebSocket(WebSocket));
 * ```
 */
export function withWebSocket(ctor: typeof WebSocket): RealtimeFeature {
  return feature('webSocket', {}, [{ provide: REALTIME_WEBSOCKET, useValue: ctor }]);
}

/**
 * Restricts or reorders the transports, most preferred first, and tunes the fallback.
 * Chat speaks `websocket`, `sse` and `long-poll` (default in that order); notifications
 * speak `sse` and `long-poll` (default in that order). A service keeps its default order
 * when the list names none of its transports.
 *
 * @example
 * ```ts
 * provideRealtime(withTransports(['sse', 'long-poll']));                    // never try WebSocket
 * provideRealtime(withTransports(['websocket', 'sse'], { reprobeMs: 0 }));  // no long polling, no re-probe
 * ```
 */
export function withTransports(order: readonly RealtimeTransportKind[], fallback: Partial<TransportFallbackOptions> = {}): RealtimeFeature {
  return feature('transports', { transports: order, transportFallback: fallback });
}
