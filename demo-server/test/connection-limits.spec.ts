import { publishOk, rawRequest, waitFor } from './support/http-client';
import { startServer, type StartedServer } from './support/server';
import { openSse, type SseReader } from './support/sse-reader';
import { tryUpgrade } from './support/upgrade';

describe('Origin policy', () => {
  let started: StartedServer;
  beforeAll(async () => {
    started = await startServer();
  });
  afterAll(() => started.close());

  it('refuses a WebSocket upgrade from a foreign Origin with HTTP 403 before any 101', async () => {
    const outcome = await tryUpgrade(started.url, '/api/chat?name=alice', { origin: 'https://evil.example' });
    expect(outcome).toMatchObject({ kind: 'refused', status: 403, json: { error: { code: 'origin_not_allowed' } } });
  });

  it('accepts upgrades from localhost origins and without an Origin', async () => {
    for (const origin of ['http://localhost:4200', 'http://127.0.0.1:9', undefined]) {
      const outcome = await tryUpgrade(started.url, '/api/chat?name=alice', origin ? { origin } : {});
      expect(outcome.status).toBe(101);
      if (outcome.kind === 'switched') outcome.socket.destroy();
    }
  });

  it('refuses an upgrade on any other path with 404 not_found', async () => {
    const outcome = await tryUpgrade(started.url, '/api/events/x');
    expect(outcome).toMatchObject({ kind: 'refused', status: 404, json: { error: { code: 'not_found' } } });
  });

  it('refuses API requests from a foreign Origin with 403 and allows CORS for localhost origins', async () => {
    const foreign = await rawRequest(started.url, { path: '/api/poll/x?timeout=0', headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.code).toBe('origin_not_allowed');
    const local = await rawRequest(started.url, { path: '/api/poll/x?timeout=0', headers: { origin: 'http://localhost:4200' } });
    expect(local.status).toBe(200);
    expect(local.headers['access-control-allow-origin']).toBe('http://localhost:4200');
    const preflight = await rawRequest(started.url, {
      method: 'OPTIONS',
      path: '/api/topics/x/events',
      headers: { origin: 'http://localhost:4200', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('Content-Type');
  });

  it('allows exactly the ALLOWED_ORIGINS list when it is set', async () => {
    const strict = await startServer({ ALLOWED_ORIGINS: 'https://app.example' });
    try {
      const allowed = await tryUpgrade(strict.url, '/api/chat?name=bob', { origin: 'https://app.example' });
      expect(allowed.status).toBe(101);
      if (allowed.kind === 'switched') allowed.socket.destroy();
      const local = await tryUpgrade(strict.url, '/api/chat?name=bob', { origin: 'http://localhost:4200' });
      expect(local).toMatchObject({ status: 403, json: { error: { code: 'origin_not_allowed' } } });
    } finally {
      await strict.close();
    }
  });
});

describe('per-IP connection limit', () => {
  let started: StartedServer;
  const readers: SseReader[] = [];
  beforeAll(async () => {
    started = await startServer({ MAX_CONNECTIONS_PER_IP: '2' });
  });
  afterAll(async () => {
    for (const reader of readers) reader.close();
    await started.close();
  });

  it('refuses streams, held polls and upgrades past the limit with 429 too_many_connections, and frees slots on close', async () => {
    readers.push(await openSse(started.url, '/api/events/a'), await openSse(started.url, '/api/events/b'));
    expect(readers.map((r) => r.status)).toEqual([200, 200]);

    const third = await openSse(started.url, '/api/events/c');
    expect(third.status).toBe(429);
    expect(third.errorBody.error.code).toBe('too_many_connections');
    const poll = await rawRequest(started.url, { path: '/api/poll/c?timeout=60000' });
    expect(poll.status).toBe(429);
    expect(poll.json.error.code).toBe('too_many_connections');
    const upgrade = await tryUpgrade(started.url, '/api/chat?name=carol');
    expect(upgrade).toMatchObject({ kind: 'refused', status: 429, json: { error: { code: 'too_many_connections' } } });
    // Short requests are not long-lived connections and stay allowed.
    expect((await publishOk(started.url, 'c', 'x', 1)).length).toBeGreaterThan(0);

    readers.shift()!.close();
    await waitFor(async () => {
      const again = await openSse(started.url, '/api/events/c');
      if (again.status === 200) readers.push(again);
      return again.status === 200;
    }, 'a slot to free up');
  });
});

describe('HTTP rate limit', () => {
  it('is off by default', async () => {
    const started = await startServer();
    try {
      for (let i = 0; i < 30; i++) expect((await rawRequest(started.url, { path: '/api/health' })).status).toBe(200);
    } finally {
      await started.close();
    }
  });

  it('answers 429 rate_limited with Retry-After past HTTP_RATE_LIMIT and leaves the log alone', async () => {
    const started = await startServer({ HTTP_RATE_LIMIT: '3', HTTP_RATE_WINDOW_MS: '60000' });
    try {
      const head = await started.server.log.head('limited');
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push((await rawRequest(started.url, { path: '/api/poll/limited?timeout=0' })).status);
      expect(answers).toEqual([200, 200, 200]);
      const refused = await rawRequest(started.url, {
        method: 'POST',
        path: '/api/topics/limited/events',
        headers: { 'content-type': 'application/json' },
        body: '{"type":"x","data":1}',
      });
      expect(refused.status).toBe(429);
      expect(refused.json.error.code).toBe('rate_limited');
      const retryAfter = Number(refused.headers['retry-after']);
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
      expect(await started.server.log.head('limited')).toBe(head);
      const metrics = await rawRequest(started.url, { path: '/metrics' });
      expect(metrics.status).toBe(200); // /metrics is outside the API limit
    } finally {
      await started.close();
    }
  });
});
