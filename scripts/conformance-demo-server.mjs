// Runs the conformance command of ngx-realtime-signals-server against a freshly started
// demo-server (built by `npm run build:server`), with a short heartbeat and history so the
// heartbeat and gap checks take seconds.
//
// Usage: npm run conformance:demo-server
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, PORT: '0', HOST: '127.0.0.1', DEMO_SCENARIO: 'off', LOG_LEVEL: 'warn', SSE_HEARTBEAT_MS: '1000', HISTORY_LIMIT: '100' };
const server = spawn(process.execPath, [join(root, 'dist/demo-server/main.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });

const url = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (chunk) => {
    out += chunk;
    const match = /listening on (http:\/\/\S+)/.exec(out);
    if (match) resolve(match[1]);
  });
  server.once('exit', (code) => reject(new Error(`demo-server exited with ${code}: ${out}`)));
});

const bin = join(root, 'projects/ngx-realtime-signals-server/bin/ngx-realtime-signals-server.js');
const result = spawnSync(process.execPath, [bin, 'conformance', `${url}/api`, '--heartbeat-ms', '1000', '--history-limit', '100'], {
  stdio: 'inherit',
});
const exited = new Promise((resolve) => server.once('exit', resolve));
server.kill('SIGTERM');
await exited;
process.exitCode = result.status ?? 1;
