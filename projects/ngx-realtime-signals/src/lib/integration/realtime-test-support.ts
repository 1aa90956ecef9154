import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createEnvironmentInjector,
  EnvironmentInjector,
  Injector,
  NgZone,
  PLATFORM_ID,
  ɵINJECTOR_SCOPE as INJECTOR_SCOPE,
  ɵNoopNgZone as NoopNgZone,
  type EnvironmentProviders,
  type Provider,
} from '@angular/core';
import { createHmac } from 'node:crypto';
import { provideRealtime, withFetch, withReconnect, type RealtimeFeature, type ReconnectOptions } from 'ngx-realtime-signals';

/** Waits until `condition` holds, checking often; fails with `what` after a generous timeout. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A root environment injector with the real providers pointed at `baseUrl`, as an
 * application on the browser platform would have (zoneless); `services` are created
 * in it so they die with it. No TestBed: its DOM renderer needs a document, which the
 * node environment (real sockets) does not have.
 */
export function realtimeInjector(
  baseUrl: string,
  services: Provider[],
  reconnect: Partial<ReconnectOptions> = { initialDelayMs: 50, maxDelayMs: 200 },
  extra: (Provider | EnvironmentProviders)[] = [],
  features: RealtimeFeature[] = [],
): EnvironmentInjector {
  return createEnvironmentInjector(
    [
      { provide: INJECTOR_SCOPE, useValue: 'root' },
      { provide: NgZone, useClass: NoopNgZone },
      { provide: PLATFORM_ID, useValue: 'browser' },
      ...services,
      provideRealtime({ baseUrl: `${baseUrl}/api` }, withFetch(globalThis.fetch), withReconnect(reconnect), ...features),
      ...extra,
    ],
    Injector.NULL as EnvironmentInjector,
  );
}

/** Publishes through the real HTTP API; resolves with the new event's id. */
export async function publish(baseUrl: string, topic: string, data: unknown, type = 'note'): Promise<string> {
  const response = await fetch(`${baseUrl}/api/topics/${encodeURIComponent(topic)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type, data }),
  });
  if (response.status !== 201) throw new Error(`publish answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/**
 * An HS256 token as an identity provider sharing the server's AUTH_SECRET would issue it;
 * `ttlS` may be negative for a token that has already expired.
 */
export function signedToken(secret: string, sub: string, ttlS: number): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, iat: now - Math.max(0, -ttlS) - 60, exp: now + ttlS })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** An HTTP server that answers every request with `status` and the JSON `error`, counting requests. */
export async function refusingServer(
  status: number,
  error: { code: string; message: string },
): Promise<{ url: string; readonly requests: number; close(): Promise<void> }> {
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests++;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
