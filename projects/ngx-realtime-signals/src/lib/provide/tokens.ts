import { InjectionToken } from '@angular/core';
import { DEFAULT_RECONNECT } from '../core/reconnect-policy';
import { DEFAULT_TRANSPORT_FALLBACK } from '../core/transports/transport-kind';
import { DEFAULT_BUFFERS, DEFAULT_HEARTBEAT_MS, type ResolvedRealtimeConfig } from './options';

/**
 * The resolved options (defaults applied). Provided by `provideRealtime`; the
 * defaults apply when it is absent.
 *
 * @example
 * ```ts
 * const config = inject(REALTIME_CONFIG); // config.baseUrl === '/api' by default
 * ```
 */
export const REALTIME_CONFIG = new InjectionToken<ResolvedRealtimeConfig>('REALTIME_CONFIG', {
  providedIn: 'root',
  factory: () => ({
    baseUrl: '/api',
    reconnect: DEFAULT_RECONNECT,
    authToken: null,
    buffers: DEFAULT_BUFFERS,
    heartbeatMs: DEFAULT_HEARTBEAT_MS,
    endpoints: {},
    transports: null,
    transportFallback: DEFAULT_TRANSPORT_FALLBACK,
  }),
});

/**
 * The `fetch` used for SSE and long polling. Defaults to the global one; set it with `withFetch`.
 *
 * @example
 * ```ts
 * provideRealtime(withFetch((input, init) => fetch(input, { ...init, credentials: 'include' })));
 * ```
 */
export const REALTIME_FETCH = new InjectionToken<typeof fetch>('REALTIME_FETCH', {
  providedIn: 'root',
  factory: () => (input, init) => globalThis.fetch(input, init),
});

/**
 * The `WebSocket` constructor used for chat. Defaults to the global one; set it with `withWebSocket`.
 *
 * @example
 * ```ts
 * import WebSocket from 'ws';
 * provideRealtime(withWebSocket(WebSocket as unknown as typeof globalThis.WebSocket));
 * ```
 */
export const REALTIME_WEBSOCKET = new InjectionToken<typeof WebSocket>('REALTIME_WEBSOCKET', {
  providedIn: 'root',
  factory: () => globalThis.WebSocket,
});

/**
 * Whether the services hand what the network delivers to their signals at most once per
 * animation frame (true: the app renders at most once per frame anyway). The testing entry
 * point sets it to false, so a test sees each burst after a microtask without waiting for frames.
 *
 * @example
 * ```ts
 * { provide: REALTIME_FRAME_ALIGNED, useValue: false } // as provideRealtimeTesting() does
 * ```
 */
export const REALTIME_FRAME_ALIGNED = new InjectionToken<boolean>('REALTIME_FRAME_ALIGNED', {
  providedIn: 'root',
  factory: () => true,
});
