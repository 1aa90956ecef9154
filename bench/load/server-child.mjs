// The demo-server as a separate child process, so its memory and CPU are measured alone.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');
const serverMain = path.join(repoRoot, 'dist/demo-server/main.js');
const probe = path.join(here, 'memory-probe.cjs');

/** Settings every benchmark shares: loopback only, no demo traffic, one IP allowed many connections. */
export const BENCH_ENV = {
  PORT: '0',
  HOST: '127.0.0.1',
  DEMO_SCENARIO: 'off',
  LOG_LEVEL: 'warn',
  MAX_CONNECTIONS_PER_IP: '30000',
  STATIC_DIR: path.join(repoRoot, 'bench/results/no-static-site'),
};

const running = new Set();
/** Servers that ended without being asked to: a failed scenario names them with their last stderr. */
export const unexpectedExits = [];

/** Kills every server still running; called on exit and on signals so no child outlives a failed run. */
export function killAllServers() {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}
process.on('exit', killAllServers);

/**
 * Starts `node dist/demo-server/main.js` (or another server script that prints "listening on <url>")
 * with `env` on top of BENCH_ENV and resolves once it prints its URL.
 *
 * @example
 * const server = await startServer({ SSE_HEARTBEAT_MS: '5000' });
 * const rss = server.rssBytes();
 * await server.stop();
 */
export async function startServer(env = {}, main = serverMain) {
  // BENCH_SERVER_NODE_ARGS adds node flags to the server only, e.g. "--cpu-prof --cpu-prof-dir=bench/results/prof".
  const extraArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extraArgs, '--expose-gc', '-r', probe, main], {
    cwd: repoRoot,
    env: { ...process.env, ...BENCH_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stopping = false;
  exited.then(({ code, signal }) => {
    running.delete(child);
    if (!stopping) unexpectedExits.push({ pid: child.pid, code, signal, stderr: stderr.slice(-4000) });
  });

  const url = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`demo-server did not start in 20 s: ${stderr}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`demo-server exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
  // Keep draining stdout so a chatty server never blocks on a full pipe.
  child.stdout.resume();

  let nextId = 0;
  const memory = (gc) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => reject(new Error('memory probe did not answer in 30 s')), 30_000);
      const onMessage = (message) => {
        if (message?.type !== 'memory' || message.id !== id) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(gc === 'cpu' ? message.cpu : message.usage);
      };
      child.on('message', onMessage);
      child.send({ type: 'memory', id, gc });
    });

  return {
    url,
    pid: child.pid,
    get stderr() {
      return stderr;
    },
    /** VmRSS of the server process, in bytes, as the kernel reports it. */
    rssBytes: () => statusField(child.pid, 'VmRSS'),
    /** Peak RSS (VmHWM) since the server started. */
    peakRssBytes: () => statusField(child.pid, 'VmHWM'),
    /** process.memoryUsage() inside the server after a full GC (so garbage does not count as cost). */
    memoryAfterGc: () => memory(true),
    /** The server's own process.cpuUsage() (µs), asked over the IPC channel (no GC). */
    cpuUsage: () => memory('cpu'),
    /** User + system CPU time of the server so far, in ms. */
    cpuMs: () => cpuMs(child.pid),
    health: async () => JSON.parse(await getText(`${url}/api/health`)),
    metricsText: () => getText(`${url}/metrics`),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** GET on a fresh connection: a pooled keep-alive socket may be closed by the server between scenarios' calls. */
function getText(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`GET ${url} answered ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', (error) => reject(new Error(`GET ${url} failed: ${error.code ?? ''} ${error.message}`)));
  });
}

function statusField(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

const CLOCK_TICKS_PER_S = 100;

function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_S;
}

/** Reads one counter or gauge from Prometheus text; sums the series that match every given label. */
export function metricValue(text, name, labels = {}) {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) {
      total += Number(match[3]);
    }
  }
  return total;
}
