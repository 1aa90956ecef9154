import { Writable } from 'node:stream';
import pino from 'pino';
import { createDemoServer, type DemoServer } from '../src/app';
import { mintToken } from 'ngx-realtime-signals-server';
import { loadConfig } from '../src/config';
import { rawRequest, waitFor } from './support/http-client';
import { tryUpgrade } from './support/upgrade';

const SECRET = 'request-log-secret-of-32-bytes-or-more';

describe('request logging with tokens in the query', () => {
  const lines: string[] = [];
  let server: DemoServer;
  let url: string;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const config = loadConfig({ AUTH_SECRET: SECRET, DEMO_SCENARIO: 'off', STATIC_DIR: '/nonexistent/auth-log-test' });
    server = createDemoServer(config, { logger: pino({ level: 'debug' }, sink) });
    url = await server.listen(0, '127.0.0.1');
  });
  afterAll(() => server.close());

  it('logs each request with access_token redacted, for accepted and refused tokens alike', async () => {
    const token = await mintToken({ secret: SECRET, sub: 'alice' });
    const signature = token.split('.')[2];
    expect((await rawRequest(url, { path: `/api/poll/orders?timeout=0&access_token=${token}` })).status).toBe(200);
    expect((await rawRequest(url, { path: `/api/poll/orders?timeout=0&access_token=${token}x` })).status).toBe(401);
    const upgrade = await tryUpgrade(url, `/api/chat?access_token=${token}x`);
    expect(upgrade.status).toBe(401);

    await waitFor(() => lines.filter((line) => line.includes('"msg":"request"')).length >= 2, 'two request lines');
    const requests = lines.filter((line) => line.includes('"msg":"request"')).map((line) => JSON.parse(line));
    expect(requests.map((entry) => [entry.url, entry.status])).toEqual([
      ['/api/poll/orders?timeout=0&access_token=%5Bredacted%5D', 200],
      ['/api/poll/orders?timeout=0&access_token=%5Bredacted%5D', 401],
    ]);
    expect(lines.join('')).not.toContain(signature);
  });
});
