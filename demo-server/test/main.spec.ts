import path from 'node:path';
import { waitFor } from './support/http-client';
import { runScript, type RunningScript } from './support/process';
import { openSse } from './support/sse-reader';

const MAIN = path.join(__dirname, '../src/main.ts');

function runMain(env: Record<string, string>): RunningScript {
  return runScript(MAIN, [], { LOG_LEVEL: 'silent', DEMO_SCENARIO: 'off', HOST: '127.0.0.1', ...env });
}

describe('main (the demo-server process)', () => {
  it('prints the bound URL for PORT=0 and exits 0 on SIGTERM after ending its SSE streams', async () => {
    const main = runMain({ PORT: '0' });
    try {
      await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(main.stdout()), 'the listening line');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(main.stdout())![1];
      const health = await (await fetch(`${url}/api/health`)).json();
      expect(health).toMatchObject({ status: 'ok' });
      const stream = await openSse(url, '/api/events/x');
      main.child.kill('SIGTERM');
      await stream.ended;
      expect(await main.exit).toBe(0);
    } finally {
      main.child.kill('SIGKILL');
    }
  });

  it('refuses a bad setting with a message naming it and exit code 1', async () => {
    const main = runMain({ PORT: '0', HISTORY_LIMIT: 'lots' });
    try {
      expect(await main.exit).toBe(1);
      expect(main.stderr()).toContain('invalid configuration: HISTORY_LIMIT must be a decimal integer');
      expect(main.stdout()).not.toContain('listening');
    } finally {
      main.child.kill('SIGKILL');
    }
  });
});
