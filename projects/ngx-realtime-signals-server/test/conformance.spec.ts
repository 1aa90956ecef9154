import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { main } from '../src/conformance/cli';
import { CONFORMANCE_CHECKS, createRealtime, mintToken, runConformance, type Realtime } from '../src/index';

async function serve(app: express.Express, realtime: Realtime): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer(app);
  realtime.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      await realtime.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const settings = { logger: pino({ level: 'silent' }), sseHeartbeatMs: 200, historyLimit: 20, publishEndpoint: true } as const;

describe('the conformance suite', () => {
  it('passes against the package mounted at a nested base path, and its command prints each check and the summary', async () => {
    const realtime = createRealtime({ basePath: '/v1/realtime', ...settings });
    const app = express();
    const v1 = express.Router();
    v1.use('/realtime', realtime.router);
    app.use('/v1', v1);
    const running = await serve(app, realtime);
    const lines: string[] = [];
    try {
      const code = await main(['conformance', `${running.url}/v1/realtime`, '--heartbeat-ms', '200', '--history-limit', '20'], {
        out: (line) => lines.push(line),
        err: (line) => lines.push(line),
      });
      expect(lines.filter((line) => line.startsWith('FAIL') || line.startsWith('  '))).toEqual([]);
      expect(code).toBe(0);
      expect(lines.filter((line) => line.startsWith('ok   '))).toHaveLength(CONFORMANCE_CHECKS.length);
      expect(lines.at(-1)).toBe(`${CONFORMANCE_CHECKS.length} passed, 0 failed`);
    } finally {
      await running.stop();
    }
  }, 60_000);

  it('fails the checks a server breaks, and the command exits 1', async () => {
    const realtime = createRealtime({ basePath: '/api', ...settings });
    const app = express();
    // A server that forgets cursors: it drops Last-Event-ID and clamps bad timeouts instead of refusing them.
    app.use('/api', (req, _res, next) => {
      delete req.headers['last-event-id'];
      const url = new URL(req.url, 'http://x');
      url.searchParams.delete('lastEventId');
      if (url.searchParams.has('timeout') && !/^\d+$/.test(url.searchParams.get('timeout')!)) url.searchParams.set('timeout', '0');
      req.url = `${url.pathname}${url.search}`;
      next();
    });
    app.use('/api', realtime.router);
    const running = await serve(app, realtime);
    try {
      const report = await runConformance({ baseUrl: `${running.url}/api`, heartbeatMs: 200, historyLimit: 20 });
      const failed = report.results.filter((result) => !result.passed).map((result) => result.name);
      expect(failed).toEqual([
        expect.stringMatching(/^sse: resumes after Last-Event-ID/),
        expect.stringMatching(/^sse: a cursor older than the history/),
        expect.stringMatching(/^long poll: 400 invalid_timeout/),
      ]);
      expect(report.results.find((result) => result.name.startsWith('long poll: 400'))?.message).toMatch(/timeout=abc.*answered 200/);
      const lines: string[] = [];
      const code = await main(['conformance', `${running.url}/api`, '--heartbeat-ms', '200', '--history-limit', '20'], {
        out: (line) => lines.push(line),
        err: (line) => lines.push(line),
      });
      expect(code).toBe(1);
      expect(lines.at(-1)).toBe(`${CONFORMANCE_CHECKS.length - 3} passed, 3 failed`);
    } finally {
      await running.stop();
    }
  }, 60_000);

  it('passes against a server with auth on when given a token with the publish scope, and fails without one', async () => {
    const secret = 's'.repeat(40);
    const realtime = createRealtime({ basePath: '/api', ...settings, publishEndpoint: undefined, authSecret: secret });
    const app = express();
    app.use('/api', realtime.router);
    const running = await serve(app, realtime);
    try {
      const token = await mintToken({ secret, sub: 'conformance', scope: 'publish', ttlS: 600 });
      const report = await runConformance({ baseUrl: `${running.url}/api`, token, heartbeatMs: 200, historyLimit: 20 });
      expect(report.results.filter((result) => !result.passed)).toEqual([]);
      const anonymous = await runConformance({ baseUrl: `${running.url}/api`, heartbeatMs: 200, historyLimit: 20 });
      expect(anonymous.results.find((result) => result.name.startsWith('publish: 201'))?.message).toMatch(/answered 401/);
      expect(anonymous.results.find((result) => result.name.startsWith('chat: welcome'))?.message).toBe('the chat upgrade answered HTTP 401');
    } finally {
      await running.stop();
    }
  }, 90_000);

  it('refuses bad usage with exit code 2', async () => {
    const errors: string[] = [];
    const io = { out: () => undefined, err: (line: string) => errors.push(line) };
    expect(await main([], io)).toBe(2);
    expect(await main(['conformance', 'not a url'], io)).toBe(2);
    expect(await main(['conformance', 'http://x', '--history-limit', '0'], io)).toBe(2);
    expect(errors.join('\n')).toContain('--history-limit must be a positive integer, got "0"');
  });
});
