import { CONFORMANCE_CHECKS, runConformance, type CheckResult } from 'ngx-realtime-signals-server';
import { startServer, type StartedServer } from './support/server';

describe('the conformance suite against demo-server', () => {
  let started: StartedServer;

  beforeAll(async () => {
    started = await startServer({ SSE_HEARTBEAT_MS: '200', HISTORY_LIMIT: '50' });
  });
  afterAll(() => started.close());

  it('passes every check', async () => {
    const report = await runConformance({ baseUrl: `${started.url}/api`, heartbeatMs: 200, historyLimit: 50 });
    const failures = report.results.filter((result: CheckResult) => !result.passed).map((result) => `${result.name}: ${result.message}`);
    expect(failures).toEqual([]);
    expect(report.results.map((result) => result.name)).toEqual(CONFORMANCE_CHECKS);
    expect(report.passed).toBe(CONFORMANCE_CHECKS.length);
  }, 60_000);
});
