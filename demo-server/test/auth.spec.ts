import { SignJWT, UnsecuredJWT } from 'jose';
import { mintToken } from 'ngx-realtime-signals-server';
import { ChatTestClient } from './support/chat-client';
import { type RawResponse, rawRequest, waitFor } from './support/http-client';
import { startServer, type StartedServer } from './support/server';
import { openSse, payload, type SseReader } from './support/sse-reader';
import { tryUpgrade } from './support/upgrade';

// Real sockets on a loaded machine, and tokens that must reach their exp.
jest.setTimeout(30_000);

const SECRET = 'test-secret-that-is-at-least-32-bytes-long!';
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'realtime-demo';
const AUTH_ENV = { AUTH_SECRET: SECRET, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE };

const key = (secret = SECRET): Uint8Array => new TextEncoder().encode(secret);
const nowS = (): number => Math.floor(Date.now() / 1000);

/** A token this server accepts, for `sub`. */
function token(sub: string, extra: { ttlS?: number; scope?: string } = {}): Promise<string> {
  return mintToken({ secret: SECRET, sub, issuer: ISSUER, audience: AUDIENCE, ...extra });
}

/** Claims every good token has; the bad ones below break one thing each. */
function claims(sub = 'alice'): SignJWT {
  return new SignJWT({})
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(nowS() + 600);
}

interface BadToken {
  name: string;
  make(): Promise<string | null>;
  code: 'unauthorized' | 'token_expired';
}

const BAD_TOKENS: BadToken[] = [
  { name: 'no token', make: async () => null, code: 'unauthorized' },
  {
    name: 'a token signed with another secret',
    make: () => claims().setProtectedHeader({ alg: 'HS256' }).sign(key('another-secret-that-is-32-bytes-long!!')),
    code: 'unauthorized',
  },
  {
    name: 'an unsigned token (alg none)',
    make: async () =>
      new UnsecuredJWT({})
        .setSubject('alice')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime(nowS() + 600)
        .encode(),
    code: 'unauthorized',
  },
  {
    name: 'a token signed with HS512',
    make: () => claims().setProtectedHeader({ alg: 'HS512' }).sign(key()),
    code: 'unauthorized',
  },
  {
    name: 'an expired token',
    make: () =>
      claims()
        .setIssuedAt(nowS() - 3600)
        .setExpirationTime(nowS() - 120)
        .setProtectedHeader({ alg: 'HS256' })
        .sign(key()),
    code: 'token_expired',
  },
  {
    name: 'a token for another audience',
    make: () => claims().setAudience('someone-else').setProtectedHeader({ alg: 'HS256' }).sign(key()),
    code: 'unauthorized',
  },
  {
    name: 'a token from another issuer',
    make: () => claims().setIssuer('https://elsewhere.test').setProtectedHeader({ alg: 'HS256' }).sign(key()),
    code: 'unauthorized',
  },
  {
    name: 'a token without exp',
    make: () =>
      new SignJWT({}).setSubject('alice').setIssuer(ISSUER).setAudience(AUDIENCE).setProtectedHeader({ alg: 'HS256' }).sign(key()),
    code: 'unauthorized',
  },
  { name: 'a token that is not a JWT', make: async () => 'not.a.jwt', code: 'unauthorized' },
];

const bearer = (value: string | null): Record<string, string> => (value === null ? {} : { authorization: `Bearer ${value}` });

function publish(url: string, topic: string, authToken: string | null, path = ''): Promise<RawResponse> {
  return rawRequest(url, {
    method: 'POST',
    path: `/api/topics/${encodeURIComponent(topic)}/events${path}`,
    headers: { 'content-type': 'application/json', ...bearer(authToken) },
    body: JSON.stringify({ type: 'note', data: { text: 'hi' } }),
  });
}

function poll(url: string, topic: string, authToken: string | null, query = 'timeout=0'): Promise<RawResponse> {
  return rawRequest(url, { path: `/api/poll/${encodeURIComponent(topic)}?${query}`, headers: bearer(authToken) });
}

function expectRefusal(status: number, headers: Record<string, unknown>, body: any, code: string): void {
  expect({ status, code: body?.error?.code }).toEqual({ status: 401, code });
  expect(typeof body.error.message).toBe('string');
  expect(String(headers['www-authenticate'])).toMatch(/^Bearer realm="demo-server"/);
}

describe('auth on: refused tokens', () => {
  let started: StartedServer;
  const readers: SseReader[] = [];

  beforeAll(async () => {
    started = await startServer(AUTH_ENV);
  });
  afterEach(() => readers.splice(0).forEach((reader) => reader.close()));
  afterAll(() => started.close());

  describe.each(BAD_TOKENS)('$name', ({ make, code }) => {
    it(`publish answers 401 ${code} and appends nothing`, async () => {
      const before = await started.server.log.head('orders');
      const res = await publish(started.url, 'orders', await make());
      expectRefusal(res.status, res.headers, res.json, code);
      expect(await started.server.log.head('orders')).toBe(before);
    });

    it(`SSE answers 401 ${code} before any stream opens`, async () => {
      const reader = await openSse(started.url, '/api/events/orders', { headers: bearer(await make()) });
      readers.push(reader);
      expectRefusal(reader.status, reader.headers, reader.errorBody, code);
    });

    it(`SSE with the token in access_token answers 401 ${code}`, async () => {
      const value = await make();
      const query = value === null ? '' : `?access_token=${encodeURIComponent(value)}`;
      const reader = await openSse(started.url, `/api/events/orders${query}`);
      readers.push(reader);
      expectRefusal(reader.status, reader.headers, reader.errorBody, code);
    });

    it(`long poll answers 401 ${code}`, async () => {
      const res = await poll(started.url, 'orders', await make());
      expectRefusal(res.status, res.headers, res.json, code);
    });

    it(`the WebSocket upgrade is refused with HTTP 401 ${code}, never a 101`, async () => {
      const value = await make();
      const query = value === null ? '' : `?access_token=${encodeURIComponent(value)}`;
      const outcome = await tryUpgrade(started.url, `/api/chat${query}`);
      if (outcome.kind === 'switched') outcome.socket.destroy();
      expect(outcome.kind).toBe('refused');
      if (outcome.kind !== 'refused') return;
      expectRefusal(outcome.status, outcome.headers, outcome.json, code);
    });
  });

  it('a malformed Authorization header is 401, not a guess', async () => {
    const res = await rawRequest(started.url, {
      path: '/api/poll/orders?timeout=0',
      headers: { authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` },
    });
    expectRefusal(res.status, res.headers, res.json, 'unauthorized');
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('a request without a token gets the bare challenge, a bad token the invalid_token one', async () => {
    const missing = await poll(started.url, 'orders', null);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="demo-server"');
    const expired = await poll(started.url, 'orders', await BAD_TOKENS[4].make());
    expect(expired.headers['www-authenticate']).toMatch(/error="invalid_token", error_description="[^"]+"/);
  });

  it('publish does not take the token from the query', async () => {
    const res = await publish(started.url, 'user:alice', null, `?access_token=${await token('alice')}`);
    expectRefusal(res.status, res.headers, res.json, 'unauthorized');
  });

  it('a repeated access_token is refused', async () => {
    const good = await token('alice');
    const res = await poll(started.url, 'orders', null, `timeout=0&access_token=${good}&access_token=${good}`);
    expectRefusal(res.status, res.headers, res.json, 'unauthorized');
  });

  it('health, metrics and CORS preflights need no token', async () => {
    for (const path of ['/api/health', '/api/health/', '/api/Health']) {
      const health = await rawRequest(started.url, { path });
      expect([path, health.status, health.json.status]).toEqual([path, 200, 'ok']);
    }
    const metrics = await rawRequest(started.url, { path: '/metrics' });
    expect(metrics.status).toBe(200);
    const preflight = await rawRequest(started.url, {
      method: 'OPTIONS',
      path: '/api/events/orders',
      headers: { origin: 'http://localhost:4200', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('Authorization');
  });

  it('lets a browser on another allowed origin read the challenge of a 401', async () => {
    const res = await rawRequest(started.url, { path: '/api/poll/orders?timeout=0', headers: { origin: 'http://localhost:4200' } });
    expect(res.status).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:4200');
    expect(res.headers['access-control-expose-headers']).toContain('WWW-Authenticate');
  });

  it('unknown API routes need a token too, so they cannot be probed', async () => {
    const res = await rawRequest(started.url, { path: '/api/nothing-here' });
    expect(res.status).toBe(401);
  });

  it('counts refusals by reason in realtime_auth_failures_total', async () => {
    await poll(started.url, 'orders', null);
    await poll(started.url, 'orders', await BAD_TOKENS[4].make());
    const text = (await rawRequest(started.url, { path: '/metrics' })).text;
    const count = (reason: string): number =>
      Number(new RegExp(`realtime_auth_failures_total\\{reason="${reason}"\\} (\\d+)`).exec(text)?.[1] ?? NaN);
    expect(count('missing')).toBeGreaterThanOrEqual(1);
    expect(count('expired')).toBeGreaterThanOrEqual(1);
    expect(count('invalid')).toBeGreaterThanOrEqual(1);
  });
});

describe('auth on: valid tokens', () => {
  let started: StartedServer;
  const readers: SseReader[] = [];
  const clients: ChatTestClient[] = [];

  beforeAll(async () => {
    started = await startServer(AUTH_ENV);
  });
  afterEach(async () => {
    readers.splice(0).forEach((reader) => reader.close());
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(() => started.close());

  const wsUrl = (query: string): string => `${started.url.replace(/^http/, 'ws')}/api/chat?${query}`;

  it('a token with the publish scope publishes to a shared topic, and SSE (header) and poll deliver it', async () => {
    const reader = await openSse(started.url, '/api/events/orders', { headers: bearer(await token('alice')) });
    readers.push(reader);
    expect(reader.status).toBe(200);
    const before = (await poll(started.url, 'orders', await token('alice'))).json.cursor;
    const res = await publish(started.url, 'orders', await token('orders-service', { scope: 'publish' }));
    expect(res.status).toBe(201);
    await waitFor(() => reader.events.length === 1, 'the event on SSE');
    expect(payload(reader.events[0]).id).toBe(res.json.id);
    const polled = await poll(started.url, 'orders', await token('bob'), `timeout=0&cursor=${before}`);
    expect(polled.status).toBe(200);
    expect(polled.json.events.map((e: { id: string }) => e.id)).toEqual([res.json.id]);
  });

  it('SSE and long poll accept the token as ?access_token=', async () => {
    const value = await token('alice');
    const reader = await openSse(started.url, `/api/events/orders?access_token=${value}`);
    readers.push(reader);
    expect(reader.status).toBe(200);
    const polled = await rawRequest(started.url, { path: `/api/poll/orders?timeout=0&access_token=${value}` });
    expect(polled.status).toBe(200);
  });

  it('user:<sub> is readable by its sub on SSE and poll, and 403 forbidden for anyone else', async () => {
    const own = await openSse(started.url, '/api/events/user:alice', { headers: bearer(await token('alice')) });
    readers.push(own);
    expect(own.status).toBe(200);
    expect((await poll(started.url, 'user:alice', await token('alice'))).status).toBe(200);

    const other = await openSse(started.url, '/api/events/user:alice', { headers: bearer(await token('bob')) });
    readers.push(other);
    expect(other.status).toBe(403);
    expect(other.errorBody.error.code).toBe('forbidden');
    const otherPoll = await poll(started.url, 'user:alice', await token('bob'));
    expect(otherPoll.status).toBe(403);
    expect(otherPoll.json.error.code).toBe('forbidden');
    expect(otherPoll.headers['www-authenticate']).toContain('error="insufficient_scope"');
  });

  it('a plain user token publishes to its own user topic only', async () => {
    const alice = await token('alice');
    expect((await publish(started.url, 'user:alice', alice)).status).toBe(201);
    const toBob = await publish(started.url, 'user:bob', alice);
    expect(toBob.status).toBe(403);
    expect(toBob.json.error.code).toBe('forbidden');
    const shared = await publish(started.url, 'orders', alice);
    expect(shared.status).toBe(403);
  });

  it('a service token with the publish scope notifies a user, who reads it on their own stream', async () => {
    const reader = await openSse(started.url, '/api/events/user:carol', { headers: bearer(await token('carol')) });
    readers.push(reader);
    const res = await publish(started.url, 'user:carol', await token('billing', { scope: 'read publish' }));
    expect(res.status).toBe(201);
    await waitFor(() => reader.events.length === 1, 'the notification on carol’s stream');
    expect(payload(reader.events[0]).topic).toBe('user:carol');
  });

  it('the chat upgrade takes access_token, and welcome.user is the sub whatever name says', async () => {
    const client = await ChatTestClient.connect(wsUrl(`access_token=${await token('alice')}&name=Mallory`));
    clients.push(client);
    expect(client.welcome.user).toBe('alice');
    await client.join('lobby');
    await client.say('lobby', 'c1', 'hello');
    const message = await client.next('message');
    expect(message.event.data.from).toBe('alice');
  });

  it('the chat upgrade also takes an Authorization header (non-browser clients)', async () => {
    const client = await ChatTestClient.connect(wsUrl(''), { headers: bearer(await token('dave')) });
    clients.push(client);
    expect(client.welcome.user).toBe('dave');
  });

  it('a token past exp but inside the clock tolerance may publish, but opens no stream', async () => {
    const late = await claims('alice')
      .setExpirationTime(nowS() - 1)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(key());
    expect((await publish(started.url, 'user:alice', late)).status).toBe(201);
    const reader = await openSse(started.url, '/api/events/user:alice', { headers: bearer(late) });
    readers.push(reader);
    expect(reader.status).toBe(401);
    expect(reader.errorBody.error.code).toBe('token_expired');
    const outcome = await tryUpgrade(started.url, `/api/chat?access_token=${late}`);
    if (outcome.kind === 'switched') outcome.socket.destroy();
    expect(outcome.kind === 'refused' && outcome.json.error.code).toBe('token_expired');
  });
});

describe('auth on: tokens that expire while connected', () => {
  let started: StartedServer;

  beforeAll(async () => {
    // No tolerance: the streams must end at exp itself.
    started = await startServer({ ...AUTH_ENV, AUTH_CLOCK_TOLERANCE_S: '0' });
  });
  afterAll(() => started.close());

  it('closes the chat socket with 4401 "token expired" at exp', async () => {
    const exp = nowS() + 5;
    const shortLived = await claims('alice').setExpirationTime(exp).setProtectedHeader({ alg: 'HS256' }).sign(key());
    const client = await ChatTestClient.connect(`${started.url.replace(/^http/, 'ws')}/api/chat?access_token=${shortLived}`);
    await client.join('lobby');
    const closed = await client.closed;
    expect(closed).toEqual({ code: 4401, reason: 'token expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
    await waitFor(async () => (await rawRequest(started.url, { path: '/api/health' })).json.connections.websocket === 0, 'socket gone');
    const text = (await rawRequest(started.url, { path: '/metrics' })).text;
    expect(text).toMatch(/realtime_dropped_connections_total\{transport="websocket",reason="token_expired"\} 1/);
  });

  it('ends the SSE stream at exp, so the client reconnects with a fresh token', async () => {
    const exp = nowS() + 5;
    const shortLived = await claims('alice').setExpirationTime(exp).setProtectedHeader({ alg: 'HS256' }).sign(key());
    const reader = await openSse(started.url, '/api/events/orders', { headers: bearer(shortLived) });
    expect(reader.status).toBe(200);
    await reader.ended;
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
    const text = (await rawRequest(started.url, { path: '/metrics' })).text;
    expect(text).toMatch(/realtime_dropped_connections_total\{transport="sse",reason="token_expired"\} 1/);
  });
});

describe('auth off (no AUTH_SECRET)', () => {
  let started: StartedServer;

  beforeAll(async () => {
    started = await startServer();
  });
  afterAll(() => started.close());

  it('publishes, reads user topics and chats without any token, as before', async () => {
    expect((await publish(started.url, 'user:bob', null)).status).toBe(201);
    expect((await poll(started.url, 'user:bob', null)).status).toBe(200);
    const client = await ChatTestClient.connect(`${started.url.replace(/^http/, 'ws')}/api/chat?name=Ada`);
    expect(client.welcome.user).toBe('Ada');
    await client.close();
  });

  it('ignores an Authorization header it cannot check', async () => {
    expect((await poll(started.url, 'orders', 'whatever')).status).toBe(200);
  });
});
