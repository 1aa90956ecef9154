import type { EnvironmentInjector } from '@angular/core';
import { LongPollService, NotificationService, withAuthToken, type ConnectionStatus } from 'ngx-realtime-signals';
import { startServer, type StartedServer } from '@demo-server/test/support/server';
import { realtimeInjector, signedToken, waitFor } from './realtime-test-support';

const SECRET = 'token-expiry-integration-secret-0123456789abcdef';
/** Far enough in the past to be expired whatever the server's clock tolerance. */
const expired = () => signedToken(SECRET, 'dora', -600);
const valid = () => signedToken(SECRET, 'dora', 3600);

type Transport = 'sse' | 'long poll';

const injectors: EnvironmentInjector[] = [];

/** A stream or a feed of `topic` whose token function is `tokenFn`, against `baseUrl`. */
function connect(transport: Transport, baseUrl: string, tokenFn: () => string) {
  const injector = realtimeInjector(baseUrl, [NotificationService, LongPollService], undefined, [], [withAuthToken(tokenFn)]);
  injectors.push(injector);
  let status: ConnectionStatus;
  if (transport === 'sse') {
    const service = injector.get(NotificationService);
    service.connect('private');
    status = service;
  } else {
    status = injector.get(LongPollService).watch('private', { timeoutMs: 1000 });
  }
  return { status };
}

/** Longer than several retry delays (at most 200 ms here): a retry would have happened within it. */
const longerThanABackoff = () => new Promise((resolve) => setTimeout(resolve, 600));

describe.each<Transport>(['sse', 'long poll'])('%s with an expired token against the demo-server with auth on', (transport) => {
  let server: StartedServer;

  beforeEach(async () => {
    server = await startServer({ AUTH_SECRET: SECRET });
  });
  afterEach(async () => {
    for (const injector of injectors.splice(0)) injector.destroy();
    await server.close();
  });

  it('retries at once with a fresh token and opens', async () => {
    let asked = 0;
    const { status } = connect(transport, server.url, () => (++asked === 1 ? expired() : valid()));
    await waitFor(() => status.state() === 'open', `the ${transport} to open`);
    // a stream asks once per attempt; a feed asks before every poll, and keeps polling once open
    if (transport === 'sse') expect(asked).toBe(2);
    else expect(asked).toBeGreaterThanOrEqual(2);
    expect(status.lastError()).toBeNull();
  });

  it('fails when the fresh token is refused too, without further requests', async () => {
    let asked = 0;
    const { status } = connect(transport, server.url, () => {
      asked++;
      return expired();
    });
    await waitFor(() => status.state() === 'failed', `the ${transport} to fail`);
    expect(status.lastError()).toMatchObject({ code: 'token_expired', status: 401, retryable: false });
    await longerThanABackoff();
    expect(asked).toBe(2);
  });

  it('fails at once on a token the server does not accept', async () => {
    let asked = 0;
    const { status } = connect(transport, server.url, () => {
      asked++;
      return 'not-a-token';
    });
    await waitFor(() => status.state() === 'failed', `the ${transport} to fail`);
    expect(status.lastError()).toMatchObject({ code: 'http_error', status: 401, retryable: false });
    await longerThanABackoff();
    expect(asked).toBe(1);
  });
});
