import { createHmac } from 'node:crypto';
import type { EnvironmentInjector } from '@angular/core';
import WebSocket from 'ws';
import { ChatService, withAuthToken, withWebSocket, type AuthTokenFn } from 'ngx-realtime-signals';
import { createDemoServer, type DemoServer } from '@demo-server/src/app';
import { loadConfig } from '@demo-server/src/config';
import { realtimeInjector } from '../integration/realtime-test-support';

const SECRET = 'chat-auth-integration-secret-0123456789abcdef';

/** An HS256 token as an identity provider sharing AUTH_SECRET would issue it. */
function token(sub: string, ttlS: number): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, iat: now, exp: now + ttlS })}`;
  return `${unsigned}.${createHmac('sha256', SECRET).update(unsigned).digest('base64url')}`;
}

async function waitFor(condition: () => boolean, describe: () => unknown, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in time: ${JSON.stringify(describe())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('ChatService against the demo-server with auth on', () => {
  let server: DemoServer;
  let url: string;
  const injectors: EnvironmentInjector[] = [];

  beforeAll(async () => {
    server = createDemoServer(loadConfig({ LOG_LEVEL: 'silent', DEMO_SCENARIO: 'off', SHUTDOWN_GRACE_MS: '500', AUTH_SECRET: SECRET }));
    url = await server.listen(0, '127.0.0.1');
  });
  afterEach(() => {
    for (const injector of injectors.splice(0)) injector.destroy();
  });
  afterAll(() => server.close());

  function chatWithToken(authToken: AuthTokenFn): ChatService {
    const injector = realtimeInjector(url, [ChatService], { initialDelayMs: 50, maxDelayMs: 200 }, [], [
      withAuthToken(authToken),
      withWebSocket(WebSocket as unknown as typeof globalThis.WebSocket),
    ]);
    injectors.push(injector);
    return injector.get(ChatService);
  }

  it('connects as the token subject, with the token fetched asynchronously', async () => {
    const chat = chatWithToken(async () => token('alice', 3600));
    const room = chat.join('lobby');
    chat.connect({ name: 'ignored-when-auth-is-on' });
    await waitFor(() => room.joined(), () => [chat.state(), chat.lastError()]);
    expect(chat.user()).toBe('alice');
  });

  it('fails without retrying when the server refuses the upgrade for a missing token', async () => {
    let asked = 0;
    const chat = chatWithToken(() => {
      asked++;
      return null;
    });
    chat.connect();
    await waitFor(() => chat.state() === 'failed', () => [chat.state(), chat.lastError()]);
    expect(chat.lastError()).toEqual(expect.objectContaining({ code: 'http_error', status: 401, retryable: false }));
    expect(asked).toBe(1);
  });

  it('reconnects at once with a fresh token when the token expires mid-connection (4401) and stays usable', async () => {
    let asked = 0;
    const chat = chatWithToken(() => {
      asked++;
      return token('bob', asked === 1 ? 1 : 3600);
    });
    const room = chat.join('lobby');
    chat.connect();
    await waitFor(() => room.joined(), () => [chat.state(), chat.lastError()]);
    // the server closes with 4401 only at the token's exp, so a second token means the expiry was handled
    await waitFor(() => asked === 2 && room.joined() && chat.state() === 'open', () => [asked, chat.state(), chat.lastError()]);
    const message = room.send('still here');
    await waitFor(
      () => room.messages().some((m) => m.clientId === message.clientId && m.status === 'sent'),
      () => [chat.state(), room.messages()],
    );
    expect(chat.user()).toBe('bob');
    expect(asked).toBe(2);
  });

  it('fails when the token function cannot supply a valid token after the expiry', async () => {
    let asked = 0;
    const chat = chatWithToken(() => {
      asked++;
      return asked === 1 ? token('carol', 1) : 'not-a-token';
    });
    const room = chat.join('lobby');
    chat.connect();
    await waitFor(() => room.joined(), () => [chat.state(), chat.lastError()]);
    await waitFor(() => chat.state() === 'failed', () => [chat.state(), chat.lastError()]);
    expect(chat.lastError()).toEqual(expect.objectContaining({ code: 'http_error', status: 401, retryable: false }));
    expect(asked).toBe(2);
  });
});
