// Child processes of the cluster tools: redis-server, demo-server instances and HAProxy.
// Every child is killed when this process exits, however it exits.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The compiled demo-server entry point (`npm run build:server`). */
export const SERVER_MAIN = path.join(ROOT, 'dist/demo-server/main.js');
export const STATIC_DIR = path.join(ROOT, 'dist/demo/browser');
/** Preloaded into each instance: answers "memory after a full GC" over IPC and ends the instance with its parent. */
const MEMORY_PROBE = path.join(ROOT, 'bench/load/memory-probe.cjs');

const children = new Set();
function killChildren() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}
process.on('exit', killChildren);

/** Why a binary is needed and how to get it, for a message that tells the user what to do. */
const INSTALL_HINTS = {
  'redis-server': 'apt-get install -y redis-server (Debian/Ubuntu) or brew install redis (macOS)',
  haproxy: 'apt-get install -y haproxy (Debian/Ubuntu) or brew install haproxy (macOS)',
};

/** Absolute path of `name` on PATH (plus /usr/sbin, where Debian puts haproxy), or null. */
export function findBinary(name) {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

/** Like findBinary, but throws a message that says how to install what is missing. */
export function requireBinary(name) {
  const found = findBinary(name);
  if (!found) throw new MissingBinaryError(`${name} is not installed; install it with: ${INSTALL_HINTS[name] ?? name}`);
  return found;
}

export class MissingBinaryError extends Error {}

/** A port nobody listens on right now on 127.0.0.1 (the OS picks it). */
export async function freePort() {
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check()` resolves truthy, trying every `everyMs`; throws naming `what` after `timeoutMs`. */
export async function waitUntil(check, what, timeoutMs = 20_000, everyMs = 100) {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Sends PING over RESP to `url` (redis://host:port) and resolves true on +PONG, false otherwise. */
export function redisPing(url, timeoutMs = 1000) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || 6379), hostname || '127.0.0.1');
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    let reply = '';
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** `waiting`, unless the tracked child exits first: then fail with its output. */
function untilExit(tracked, waiting) {
  const exit = tracked.exited.then(({ code, signal }) => {
    throw new Error(`${tracked.label} exited (${code ?? signal}) at start:\n${tracked.output()}`);
  });
  exit.catch(() => undefined);
  return Promise.race([waiting, exit]);
}

function track(child, label) {
  children.add(child);
  let output = '';
  const keep = (chunk) => {
    output += chunk;
    if (output.length > 40_000) output = output.slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return { exited, output: () => output, label };
}

/**
 * A redis-server of our own on `port`, keeping nothing on disk (as the shared one does),
 * so it may be killed and restarted empty. `restart()` kills it with SIGKILL and starts it
 * again on the same port after `downMs`.
 */
export function redisServer({ port }) {
  const binary = requireBinary('redis-server');
  const url = `redis://127.0.0.1:${port}`;
  let child = null;
  let tracked = null;
  async function start() {
    child = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    tracked = track(child, 'redis-server');
    await untilExit(tracked, waitUntil(() => redisPing(url), `redis-server on port ${port}`, 10_000, 50));
  }
  async function stop(signal = 'SIGKILL') {
    const running = child;
    child = null;
    await killTracked(running, tracked, signal);
  }
  return { url, port, start, stop };
}

/** Signals a tracked child that is still running and resolves once it has exited. */
async function killTracked(running, tracked, signal) {
  if (!running || running.exitCode !== null || running.signalCode !== null) return;
  const done = tracked.exited;
  running.kill(signal);
  await done;
}

/**
 * One demo-server instance (the compiled dist/demo-server/main.js) on a fixed loopback
 * port, so it can be killed and started again at the same address HAProxy knows.
 */
export function demoInstance({ name, port, env = {} }) {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run npm run build:server first`);
  const url = `http://127.0.0.1:${port}`;
  let child = null;
  let tracked = null;
  let starts = 0;
  async function start() {
    starts++;
    child = spawn(process.execPath, ['--expose-gc', '-r', MEMORY_PROBE, SERVER_MAIN], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DEMO_SCENARIO: 'off',
        STATIC_DIR,
        SHUTDOWN_GRACE_MS: '1000',
        // HAProxy, the one hop in front, appends the client's address to X-Forwarded-For. Trusting that
        // hop rather than "loopback" matters here, where clients are on loopback too: a trusted client
        // address would let the header's earlier, client-written entries through.
        TRUST_PROXY: process.env.TRUST_PROXY ?? '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    tracked = track(child, name);
    const started = child;
    const startedTracked = tracked;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start in 20 s:\n${startedTracked.output()}`)), 20_000);
      const onData = () => {
        if (startedTracked.output().includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      };
      started.stdout.on('data', onData);
      startedTracked.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${startedTracked.output()}`));
      });
    });
    return url;
  }
  async function kill(signal = 'SIGKILL') {
    const running = child;
    child = null;
    await killTracked(running, tracked, signal);
  }
  return {
    name,
    url,
    port,
    start,
    kill,
    get pid() {
      return child?.pid ?? null;
    },
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    get starts() {
      return starts;
    },
    output: () => tracked?.output() ?? '',
    exited: () => tracked?.exited,
    /** process.memoryUsage() of the instance after two full GCs, or null when it does not answer. */
    memoryAfterGc(timeoutMs = 10_000) {
      const running = child;
      if (!running?.connected) return Promise.resolve(null);
      const id = Math.random();
      return new Promise((resolve) => {
        const timer = setTimeout(() => done(null), timeoutMs);
        const onMessage = (message) => {
          if (message?.type === 'memory' && message.id === id) done(message.usage);
        };
        const done = (usage) => {
          clearTimeout(timer);
          running.off('message', onMessage);
          resolve(usage);
        };
        running.on('message', onMessage);
        running.send({ type: 'memory', id, gc: true });
      });
    },
  };
}

/** GET `url` as JSON with a short timeout; null when it fails. */
export async function getJson(url, timeoutMs = 2000) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.json() };
  } catch {
    return null;
  }
}

/**
 * The HAProxy configuration in front of demo-server instances: round-robin without
 * stickiness, health checks on /api/health/ready (an instance is taken out when it does
 * not answer or drains, not when the Redis every instance shares is down), the client's
 * address in X-Forwarded-For (instances started with TRUST_PROXY=1 read it), and
 * timeouts that let an SSE stream, a long poll held up to POLL_MAX_TIMEOUT_MS (60 s) and a
 * WebSocket tunnel live.
 */
export function haproxyConfig({ port, backends, checkIntervalMs = 1000, maxconn = 8000 }) {
  const servers = backends
    .map((backend) => `    server ${backend.name} 127.0.0.1:${backend.port} check`)
    .join('\n');
  return `# Written by ops/support/processes.mjs for npm run cluster / chaos / soak.
global
    maxconn ${maxconn}
    log stderr format short local0 warning

defaults
    mode http
    log global
    option httplog
    option dontlognull
    # The client's address for the instances' per-IP limits and logs (they trust this one hop).
    option forwardfor
    # SSE and chat frames are small and must go out at once, not wait to fill a packet
    # (without this, each SSE event waited ~150 ms in HAProxy here).
    option http-no-delay
    timeout connect 2s
    timeout http-request 10s
    timeout queue 5s
    # Longer than the longest poll hold (POLL_MAX_TIMEOUT_MS, 60 s) and the SSE heartbeat (15 s).
    timeout client 75s
    timeout server 75s
    # A WebSocket after the upgrade: the server pings every WS_HEARTBEAT_MS (30 s).
    timeout tunnel 1h
    timeout client-fin 5s
    timeout server-fin 5s
    # A request whose connection never reached a server is safe to send to another one.
    retries 2
    option redispatch
    retry-on conn-failure

frontend realtime
    bind 127.0.0.1:${port}
    default_backend instances

backend instances
    balance roundrobin
    # Readiness, not the full report: /api/health answers 503 while Redis is down, on every
    # instance at once, and taking them all out would replace their JSON 503 to publishers by
    # HAProxy's own error page and refuse new readers that the instances can still serve.
    option httpchk GET /api/health/ready
    http-check expect status 200
    default-server inter ${checkIntervalMs} fastinter ${Math.max(100, Math.floor(checkIntervalMs / 2))} downinter ${checkIntervalMs} fall 2 rise 2
${servers}
`;
}

/** HAProxy in the foreground with the configuration above; checks the file first so a bad one fails clearly. */
export async function startHaproxy({ port, backends, checkIntervalMs, maxconn }) {
  const binary = requireBinary('haproxy');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rt-haproxy-'));
  const file = path.join(dir, 'haproxy.cfg');
  await writeFile(file, haproxyConfig({ port, backends, checkIntervalMs, maxconn }));
  const check = spawnSync(binary, ['-c', '-q', '-f', file], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy rejected ${file}:\n${check.stdout}${check.stderr}`);
  const child = spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const tracked = track(child, 'haproxy');
  const url = `http://127.0.0.1:${port}`;
  await untilExit(
    tracked,
    waitUntil(async () => (await getJson(`${url}/api/health/ready`))?.status === 200, `haproxy on port ${port} to reach an instance`, 20_000, 100),
  );
  return {
    url,
    configFile: file,
    output: tracked.output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await tracked.exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resident set size of `pid` in bytes from /proc (Linux), or null. */
export async function rssOf(pid) {
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
