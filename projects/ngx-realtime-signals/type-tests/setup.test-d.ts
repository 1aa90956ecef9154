/** provideRealtime and provideRealtimeTesting take the same argument forms. */
import type { EnvironmentProviders } from '@angular/core';
import { provideRealtime, withAuthToken, withBaseUrl, withReconnect, type RealtimeFeature } from 'ngx-realtime-signals';
import { provideRealtimeTesting } from 'ngx-realtime-signals/testing';
import { expectType } from './type-assert';

for (const provide of [provideRealtime, provideRealtimeTesting]) {
  expectType<EnvironmentProviders>()(provide());
  expectType<EnvironmentProviders>()(provide({ baseUrl: '/api' }));
  expectType<EnvironmentProviders>()(provide(withBaseUrl('/api'), withAuthToken(() => 'token')));
  expectType<EnvironmentProviders>()(provide({ baseUrl: '/api' }, withReconnect({ maxAttempts: 3 })));
  // @ts-expect-error features come after the options object, never before it
  provide(withBaseUrl('/api'), { baseUrl: '/api' });
  // @ts-expect-error an unknown option is a mistake, not ignored
  provide({ baseUrl: '/api', retries: 3 });
}

// @ts-expect-error a feature is opaque: made by a with* function, never by hand
const handMade: RealtimeFeature = { kind: 'baseUrl', options: { baseUrl: '/api' }, providers: [] };
void handMade;
