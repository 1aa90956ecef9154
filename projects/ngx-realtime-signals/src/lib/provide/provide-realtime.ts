import { type EnvironmentProviders, Injector, makeEnvironmentProviders } from '@angular/core';
import type { RealtimeFeature } from './features';
import type { RealtimeOptions } from './options';
import { mergeOptions, resolveConfig } from './resolve-config';
import { REALTIME_CONFIG } from './tokens';

/**
 * Sets up the library for an application: the options (fetch for SSE and long
 * polling, WebSocket for chat; each service brings only its own transport, so an
 * app bundles only what it injects), either as one object or as
 * `with*` features (both may be mixed; later ones win).
 *
 * @example
 * ```ts
 * // app.config.ts
 * export const appConfig: ApplicationConfig = {
 *   providers: [provideRealtime(withBaseUrl('/api'), withAuthToken(() => inject(Auth).token()))],
 * };
 * // or
 * provideRealtime({ baseUrl: '/api', reconnect: { maxAttempts: 10 } });
 * // or both: an options object, then features
 * provideRealtime({ baseUrl: '/api' }, withFetch(customFetch));
 * ```
 */
export function provideRealtime(options?: RealtimeOptions): EnvironmentProviders;
export function provideRealtime(...features: RealtimeFeature[]): EnvironmentProviders;
export function provideRealtime(options: RealtimeOptions, ...features: RealtimeFeature[]): EnvironmentProviders;
export function provideRealtime(...args: (RealtimeOptions | RealtimeFeature | undefined)[]): EnvironmentProviders {
  const parts = args.filter((a): a is RealtimeOptions | RealtimeFeature => a !== undefined);
  const features = parts.filter(isFeature);
  const options = mergeOptions(parts.map((p) => (isFeature(p) ? p.ɵoptions : p)));
  return makeEnvironmentProviders([
    { provide: REALTIME_CONFIG, useFactory: (injector: Injector) => resolveConfig(options, injector), deps: [Injector] },
    ...features.flatMap((f) => f.ɵproviders),
  ]);
}

function isFeature(value: RealtimeOptions | RealtimeFeature): value is RealtimeFeature {
  return typeof (value as RealtimeFeature).ɵkind === 'string' && Array.isArray((value as RealtimeFeature).ɵproviders);
}
