import { DOCUMENT, Injector, NgZone, PLATFORM_ID, inject } from '@angular/core';
import { isPlatformBrowser } from '@angular/common';
import { BurstQueue } from '../core/burst-queue';
import type { ConnectionOptions } from '../core/connection';
import { ReconnectPolicy } from '../core/reconnect-policy';
import { RealtimeTransports } from '../core/transports/realtime-transports';
import type { ResolvedRealtimeConfig } from './options';
import { REALTIME_CONFIG, REALTIME_FETCH, REALTIME_FRAME_ALIGNED, REALTIME_WEBSOCKET } from './tokens';

/**
 * What every service needs from Angular, gathered once: whether it may connect
 * at all (browser platform only: on the server a stream would keep the render
 * from ever finishing), the resolved config, the transports, auth headers and a
 * way to run connection work outside the Angular zone.
 */
export interface RealtimeRuntime {
  /** False on the server platform: services stay `idle` and never touch the network. */
  readonly browser: boolean;
  readonly config: ResolvedRealtimeConfig;
  /**
   * A transport seam provided in DI (the testing entry point's), or null: then each
   * service opens its own transport over `fetch()` / `webSocket()`. `provideRealtime()`
   * provides no seam, so an app bundles only the transports of the services it injects.
   * Resolved on first use so a server render never needs one.
   */
  transports(): RealtimeTransports | null;
  /** The `fetch` for SSE and long polling (`withFetch`, else the global one). */
  fetch(): typeof fetch;
  /** The `WebSocket` constructor for chat (`withWebSocket`, else the global one; null if there is none). */
  webSocket(): typeof WebSocket | null;
  /**
   * Runs `fn` outside the Angular zone when zone.js is loaded, so sockets, timers
   * and listeners do not keep the app unstable or trigger change detection on
   * every chunk; signals schedule the rendering that is needed. Zoneless: just runs.
   */
  outsideAngular<R>(fn: () => R): R;
  /**
   * Runs `fn` in the Angular zone: results are handed to the app there (once per
   * burst), so `events$` subscribers in zone.js apps get change detection as with HttpClient.
   */
  insideAngular<R>(fn: () => R): R;
  /**
   * A queue that collects what the network delivers (outside the Angular zone) and
   * hands it to `deliver` inside the zone, once per burst (a microtask) and in a page
   * at most once per animation frame, so a burst of a thousand events, or a thousand
   * WebSocket messages within one frame, is one signal update and one change detection.
   */
  burstQueue<T>(deliver: (batch: T[]) => void): BurstQueue<T>;
  /** `Authorization: Bearer <token>` from the configured token function, fetched anew on every call. */
  headers(): Promise<Record<string, string>>;
  /** The token alone (for the WebSocket `access_token` query), fetched anew on every call. */
  token(): Promise<string | null>;
  /** The page's base URI (`document.baseURI`), against which a relative `baseUrl` becomes a ws(s):// URL; null without a document. */
  documentBaseUri(): string | null;
  /** Connection options built from the config (policy; watchdog as given). */
  connectionOptions(watchdogMs?: number): ConnectionOptions;
}

/**
 * Reads the runtime in an injection context (a service constructor or field).
 *
 * @example
 * ```ts
 * @Injectable({ providedIn: 'root' })
 * class MyService { private readonly runtime = injectRealtimeRuntime(); }
 * ```
 */
export function injectRealtimeRuntime(): RealtimeRuntime {
  const injector = inject(Injector);
  const zone = inject(NgZone);
  const config = inject(REALTIME_CONFIG);
  const browser = isPlatformBrowser(inject(PLATFORM_ID));
  const document = inject(DOCUMENT, { optional: true });
  const frames = inject(REALTIME_FRAME_ALIGNED) ? frameScheduler(document?.defaultView, zone) : null;
  let transports: RealtimeTransports | null | undefined;
  const token = async () => (config.authToken ? ((await config.authToken()) ?? null) : null);
  return {
    browser,
    config,
    transports: () => (transports === undefined ? (transports = injector.get(RealtimeTransports, null)) : transports),
    fetch: () => injector.get(REALTIME_FETCH),
    webSocket: () => injector.get(REALTIME_WEBSOCKET, null) ?? null,
    outsideAngular: (fn) => zone.runOutsideAngular(fn),
    insideAngular: (fn) => zone.run(fn),
    burstQueue: (deliver) => new BurstQueue((batch) => zone.run(() => deliver(batch)), undefined, frames),
    token,
    headers: async (): Promise<Record<string, string>> => {
      const value = await token();
      return value ? { Authorization: `Bearer ${value}` } : {};
    },
    documentBaseUri: () => document?.baseURI ?? null,
    connectionOptions: (watchdogMs) => ({ policy: new ReconnectPolicy(config.reconnect), watchdogMs }),
  };
}

/** Frames stop in a hidden tab; a burst waiting for one goes out after this long instead. */
const HIDDEN_FRAME_MS = 100;

/**
 * The page's next animation frame, so each service writes its signals at most once per
 * frame (the app renders at most once per frame anyway); null without a window that has frames.
 */
function frameScheduler(win: (Window & typeof globalThis) | null | undefined, zone: NgZone): ((fn: () => void) => () => void) | null {
  if (typeof win?.requestAnimationFrame !== 'function') return null;
  // outside the zone: a pending frame must not keep a zone.js app unstable nor run change detection
  return (fn) => zone.runOutsideAngular(() => {
    const cancel = () => {
      win.clearTimeout(timer);
      win.cancelAnimationFrame(frame);
    };
    const once = () => {
      cancel();
      fn();
    };
    const timer = win.setTimeout(once, HIDDEN_FRAME_MS);
    const frame = win.requestAnimationFrame(once);
    return cancel;
  });
}
