import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'dist/demo-server/main.js');
const STATIC_DIR = path.join(ROOT, 'dist/demo/browser');

/** A port nobody listens on right now (the OS picks it). */
export async function freePort() {
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * The real demo-server as a child process (the built dist/demo-server/main.js),
 * serving the built demo app, with the demo scenario off so only the test publishes.
 * `start()` resolves once the server prints its URL; `kill()` ends it abruptly
 * (SIGKILL, like a crash) and `start()` may be called again on the same port.
 */
export function demoServer({ port, env = {} }) {
  for (const required of [MAIN, path.join(STATIC_DIR, 'index.html')]) {
    if (!existsSync(required)) throw new Error(`${required} is missing: run npm run build && npm run build:server first`);
  }
  let child = null;
  let output = '';
  const url = `http://127.0.0.1:${port}`;

  async function start() {
    output = '';
    child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: {
        ...process.env, PORT: String(port), HOST: '127.0.0.1', STATIC_DIR, DEMO_SCENARIO: 'off', LOG_LEVEL: 'warn',
        SHUTDOWN_GRACE_MS: '1000', ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = child;
    await new Promise((resolve, reject) => {
      const onData = (chunk) => {
        output += chunk;
        if (output.includes('listening on')) resolve();
      };
      started.stdout.on('data', onData);
      started.stderr.on('data', (chunk) => (output += chunk));
      started.once('exit', (code) => reject(new Error(`demo-server exited with ${code} before listening:\n${output}`)));
    });
    return url;
  }

  async function kill(signal = 'SIGKILL') {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  }

  return { url, start, kill, output: () => output };
}

/** Publishes one event over HTTP, as any backend would; returns the assigned id. */
export async function publish(baseUrl, topic, type, data) {
  const response = await fetch(`${baseUrl}/api/topics/${encodeURIComponent(topic)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type, data }),
  });
  if (response.status !== 201) throw new Error(`publish to ${topic} answered ${response.status}: ${await response.text()}`);
  return (await response.json()).id;
}
