import { Injector, runInInjectionContext } from '@angular/core';
import { DEFAULT_RECONNECT } from '../core/reconnect-policy';
import { DEFAULT_TRANSPORT_FALLBACK } from '../core/transports/transport-kind';
import { checkTransports } from './transports-option';
import {
  DEFAULT_BUFFERS,
  DEFAULT_HEARTBEAT_MS,
  type RealtimeOptions,
  type ResolvedRealtimeConfig,
} from './options';
import { checkEndpoints } from './endpoints';

/** Later options win; nested `reconnect` and `buffers` merge field by field. */
export function mergeOptions(list: readonly RealtimeOptions[]): RealtimeOptions {
  return list.reduce<RealtimeOptions>(
    (acc, next) => ({
      ...acc,
      ...defined(next),
      reconnect: { ...acc.reconnect, ...defined(next.reconnect ?? {}) },
      buffers: { ...acc.buffers, ...defined(next.buffers ?? {}) },
      endpoints: { ...acc.endpoints, ...defined(next.endpoints ?? {}) },
      transportFallback: { ...acc.transportFallback, ...defined(next.transportFallback ?? {}) },
    }),
    {},
  );
}

/** Applies defaults; the token function runs in `injector`'s context so it may call `inject()`. */
export function resolveConfig(options: RealtimeOptions, injector: Injector): ResolvedRealtimeConfig {
  const { authToken, endpoints = {}, transports } = options;
  const transportFallback = { ...DEFAULT_TRANSPORT_FALLBACK, ...defined(options.transportFallback ?? {}) };
  // Angular's own guard: an app's production build defines ngDevMode as false and drops these
  // checks of its setup, which the same setup meets in development first.
  if (typeof ngDevMode === 'undefined' || ngDevMode) {
    checkEndpoints(endpoints, 'provideRealtime');
    checkTransports(transports, transportFallback);
  }
  return {
    baseUrl: (options.baseUrl ?? '/api').replace(/\/+$/, ''),
    reconnect: { ...DEFAULT_RECONNECT, ...defined(options.reconnect ?? {}) },
    authToken: authToken ? () => runInInjectionContext(injector, authToken) : null,
    buffers: { ...DEFAULT_BUFFERS, ...defined(options.buffers ?? {}) },
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    endpoints,
    transports: transports ? Object.freeze([...transports]) : null,
    transportFallback: Object.freeze(transportFallback),
  };
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
