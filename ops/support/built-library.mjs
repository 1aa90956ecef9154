// The built library (dist/) loaded in Node, and an Angular environment injector that runs one of
// its services the way a browser app would: Node's fetch and `ws` behind the library's transport
// seam, no zone. Used by the chaos and soak clients and by bench:reconnect.
import '@angular/compiler';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createEnvironmentInjector,
  Injector,
  NgZone,
  PLATFORM_ID,
  ɵINJECTOR_SCOPE as INJECTOR_SCOPE,
  ɵNoopNgZone as NoopNgZone,
} from '@angular/core';
import WebSocket from 'ws';
import { ROOT } from './processes.mjs';

const LIBRARY = path.join(ROOT, 'dist/ngx-realtime-signals/fesm2022/ngx-realtime-signals.mjs');
if (!existsSync(LIBRARY)) throw new Error(`${LIBRARY} is missing: run npm run build:lib first`);

/** The built package's exports. */
export const lib = await import(pathToFileURL(LIBRARY).href);

/**
 * An injector providing `service` with `provideRealtime({ baseUrl: <baseUrl>/api }, withFetch,
 * withWebSocket, ...features)`; `features` receives `lib` so callers need not import it first.
 */
export function serviceInjector(baseUrl, service, features = () => []) {
  return createEnvironmentInjector(
    [
      { provide: INJECTOR_SCOPE, useValue: 'root' },
      { provide: NgZone, useClass: NoopNgZone },
      { provide: PLATFORM_ID, useValue: 'browser' },
      service,
      lib.provideRealtime({ baseUrl: `${baseUrl}/api` }, lib.withFetch(globalThis.fetch), lib.withWebSocket(WebSocket), ...features(lib)),
    ],
    Injector.NULL,
  );
}
