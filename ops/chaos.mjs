// npm run chaos [-- --quick] [-- --only stall,kill-one] [-- --instances 3] [-- --clients 3] [-- --rate 40]
// Clients of all three transports (the library's own services, in Node) read through HAProxy
// while events are published at a steady rate, and one fault scenario after another runs:
// connection cuts, half-open stalls, kill -9 of one instance, kill -9 of every instance in
// turn, and a Redis restart. Prints a table per scenario and transport and exits non-zero
// when an expectation fails. Uses a redis-server of its own (it restarts it), never the
// shared one.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startFaultProxy } from './support/fault-proxy.mjs';
import {
  demoInstance,
  freePort,
  getJson,
  MissingBinaryError,
  redisServer,
  requireBinary,
  sleep,
  startHaproxy,
  waitUntil,
} from './support/processes.mjs';

const SCENARIOS = ['steady', 'cuts', 'stall', 'kill-one', 'kill-all', 'redis-restart'];
/** The chat client pings every 10 s (ChatService); the pong must come within 10 s more. */
const CHAT_PING_MS = 10_000;
/**
 * Late timers on a busy machine: a stall counts as detected in time when the client left `open`
 * within twice the heartbeat plus this much (every change of a client's state is recorded with its time).
 */
const TIMER_SLACK_MS = 500;

const USAGE = `usage: npm run chaos [-- --quick] [-- --only ${SCENARIOS.join(',')}]
  --quick          shorter scenarios and fewer clients (what .ci/run runs)
  --only LIST      scenarios to run, comma-separated (default: all)
  --instances N    demo-server instances behind HAProxy (default 3)
  --clients K      clients per transport (default 3, quick 2)
  --rate R         HTTP events published per second (default 40, quick 20); chat sends run at half that`;

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        instances: { type: 'string', default: '3' },
        clients: { type: 'string' },
        rate: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    usageError(error.message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick;
  const int = (name, raw, min, max) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) usageError(`--${name} must be an integer ${min}..${max}, got ${raw}`);
    return value;
  };
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : SCENARIOS;
  for (const name of only) if (!SCENARIOS.includes(name)) usageError(`unknown scenario "${name}"; known: ${SCENARIOS.join(', ')}`);
  return {
    quick,
    only,
    instances: int('instances', values.instances, 1, 16),
    clients: int('clients', values.clients ?? (quick ? '2' : '3'), 1, 50),
    rate: int('rate', values.rate ?? (quick ? '20' : '40'), 1, 1000),
    steadyMs: quick ? 3000 : 10_000,
    cuts: quick ? 3 : 8,
    downMs: quick ? 2000 : 4000,
    sseHeartbeatMs: 2000,
    pollHoldMs: 10_000,
  };
}

function usageError(message) {
  console.error(`chaos: ${message}\n${USAGE}`);
  process.exit(2);
}

/** Publishes `{ seq }` events to `topic` through `url`, one request at a time, `rate` per second. */
function httpPublisher(url, topic, rate) {
  const published = new Map(); // seq -> { at, outcome: 'logged' | 'refused' | 'unknown' }
  let seq = 0;
  let running = true;
  const loop = (async () => {
    let next = Date.now();
    while (running) {
      next += 1000 / rate;
      seq++;
      const entry = { at: Date.now(), outcome: 'unknown' };
      published.set(seq, entry);
      try {
        const response = await fetch(`${url}/api/topics/${encodeURIComponent(topic)}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'tick', data: { seq } }),
          signal: AbortSignal.timeout(5000),
        });
        const text = await response.text();
        if (response.status === 201) entry.outcome = 'logged';
        // The server's own JSON error means it did not log the event; a proxy's error page says nothing.
        else if (/^\s*\{"error"/.test(text)) entry.outcome = 'refused';
      } catch {
        // no answer: the event may or may not be in the log
      }
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      else next = Date.now();
    }
  })();
  return {
    published,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** A chat sender ticking at `rate` per second (a tick only sends once the previous message is acked). */
function chatPublisher(sender, rate) {
  let running = true;
  const loop = (async () => {
    while (running) {
      sender.tick();
      await sleep(1000 / rate);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await waitUntil(async () => sender.settled(), 'the last chat message to be acked', 60_000, 20).catch(() => undefined);
      if (sender.settled()) sender.finish();
    },
  };
}

const percentile = (values, p) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/**
 * Compares what one client received with what was published: `expected` maps seq -> publish
 * time of every event known to be in the log.
 */
function analyse(record, expected, faults) {
  const counts = new Map();
  let outOfOrder = 0;
  let maxSeq = -Infinity;
  for (const entry of record.received) {
    if (entry.seq === null) continue;
    counts.set(entry.seq, (counts.get(entry.seq) ?? 0) + 1);
    if (entry.seq < maxSeq) outOfOrder++;
    maxSeq = Math.max(maxSeq, entry.seq);
  }
  let lost = 0;
  for (const seq of expected.keys()) if (!counts.has(seq)) lost++;
  let duplicated = 0;
  for (const n of counts.values()) duplicated += n - 1;
  const detect = [];
  const recover = [];
  faults.forEach((fault, i) => {
    // A drop counts for this fault only until the next one begins (or the stall is lifted).
    const until = fault.until ?? faults[i + 1]?.at ?? Infinity;
    const left = record.leftOpenAfter(fault.at);
    if (left !== null && left <= until) detect.push(left - fault.at);
    const first = record.received.find((entry) => entry.seq !== null && (expected.get(entry.seq) ?? -Infinity) >= fault.at);
    if (first) recover.push(first.at - fault.at);
  });
  return {
    received: counts.size,
    lost,
    duplicated,
    outOfOrder,
    resets: record.resets,
    reconnects: record.reconnects,
    detect,
    recover,
    endState: record.currentState,
    latencies: record.received.filter((e) => typeof e.ts === 'number').map((e) => e.at - e.ts),
  };
}

async function main() {
  const opts = options();
  try {
    requireBinary('redis-server');
    requireBinary('haproxy');
  } catch (error) {
    if (error instanceof MissingBinaryError) {
      console.error(`chaos: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const clients = await import('./support/library-clients.mjs');
  const runId = randomBytes(3).toString('hex');
  const redis = redisServer({ port: await freePort() });
  await redis.start();
  const instances = [];
  for (let i = 0; i < opts.instances; i++) {
    instances.push(
      demoInstance({
        name: `rt${i + 1}`,
        port: await freePort(),
        env: { REDIS_URL: redis.url, SSE_HEARTBEAT_MS: String(opts.sseHeartbeatMs), MAX_CONNECTIONS_PER_IP: '10000' },
      }),
    );
  }
  await Promise.all(instances.map((instance) => instance.start()));
  const haproxy = await startHaproxy({ port: await freePort(), backends: instances, checkIntervalMs: 500 });
  const proxy = await startFaultProxy(haproxy.url);
  const health = await getJson(`${instances[0].url}/api/health`);
  console.log(
    `chaos ${opts.quick ? '(quick) ' : ''}${new Date().toISOString()}: ${opts.instances} instances (log: ${health?.body?.log ?? 'unknown'}),` +
      ` Redis ${redis.url} (our own), HAProxy ${haproxy.url}, fault proxy ${proxy.url};` +
      ` ${opts.clients} clients per transport, ${opts.rate} events/s over HTTP, ${opts.rate / 2} chat messages/s;` +
      ` SSE heartbeat ${opts.sseHeartbeatMs} ms, long-poll hold ${opts.pollHoldMs} ms, chat ping ${CHAT_PING_MS} ms`,
  );

  const healthyBehindHaproxy = (instance) => async () => (await getJson(`${instance.url}/api/health/ready`))?.status === 200;
  const restart = async (instance) => {
    await instance.start();
    await waitUntil(healthyBehindHaproxy(instance), `${instance.name} to answer its health check`, 20_000);
    // HAProxy brings it back after two good checks (rise 2, 500 ms apart).
    await sleep(1500);
  };

  /** Each scenario injects its faults, recording when each began (`at`) and, for a stall, until when it counts. */
  const scenarios = {
    steady: {
      describe: 'no fault (control)',
      run: async () => sleep(opts.steadyMs),
    },
    cuts: {
      describe: `every client connection cut ${opts.cuts} times, 1.5 s apart`,
      run: async (fault) => {
        for (let i = 0; i < opts.cuts; i++) {
          fault('cut');
          proxy.cut();
          await sleep(1500);
        }
      },
    },
    stall: {
      describe: 'every client connection frozen (no bytes, no FIN) until each client gives up on it',
      stall: true,
      run: async (fault, readers) => {
        const f = fault('stall');
        proxy.stall();
        const bound = Math.max(2 * opts.sseHeartbeatMs, 2 * opts.pollHoldMs, 2 * CHAT_PING_MS);
        await waitUntil(async () => readers.every((r) => r.record.leftOpenAfter(f.at) !== null), 'every client to notice the stall', bound + 10_000, 50).catch(
          () => undefined,
        );
        f.until = Date.now();
        await sleep(1000);
        proxy.release();
      },
    },
    'kill-one': {
      describe: `kill -9 of ${instances[0].name}, restarted after ${opts.downMs} ms`,
      run: async (fault) => {
        fault(`kill -9 ${instances[0].name}`);
        await instances[0].kill('SIGKILL');
        await sleep(opts.downMs);
        await restart(instances[0]);
      },
    },
    'kill-all': {
      describe: `kill -9 of every instance in turn, each restarted after ${opts.downMs} ms before the next`,
      run: async (fault) => {
        for (const instance of instances) {
          fault(`kill -9 ${instance.name}`);
          await instance.kill('SIGKILL');
          await sleep(opts.downMs);
          await restart(instance);
        }
      },
    },
    'redis-restart': {
      describe: `redis-server killed and started again empty after ${opts.downMs} ms`,
      resetsAllowed: true,
      run: async (fault) => {
        fault('redis restart');
        await redis.stop('SIGKILL');
        await sleep(opts.downMs);
        await redis.start();
        await sleep(3000);
      },
    },
  };

  const results = [];
  try {
    for (const name of opts.only) {
      results.push(await runScenario(name, scenarios[name], { opts, clients, runId, haproxy, proxy }));
    }
  } finally {
    await proxy.close();
    await haproxy.stop();
    await Promise.all(instances.map((instance) => instance.kill('SIGTERM')));
    await redis.stop('SIGTERM');
  }
  const failures = results.flatMap((result) => result.failures.map((failure) => `${result.name}: ${failure}`));
  if (failures.length > 0) {
    console.log(`\nchaos FAILED (${failures.length}):\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`\nchaos passed: ${results.length} scenarios, every expectation met`);
  process.exit(0);
}

async function runScenario(name, scenario, { opts, clients, runId, haproxy, proxy }) {
  const topic = `chaos-${runId}-${name}`;
  const room = `chaos-${runId}-${name}`;
  const settings = { heartbeatMs: opts.sseHeartbeatMs, holdMs: opts.pollHoldMs };
  const readers = [];
  for (let i = 0; i < opts.clients; i++) {
    readers.push(clients.sseReader(proxy.url, topic, { ...settings, name: `sse-${i + 1}` }));
    readers.push(clients.longPollReader(proxy.url, topic, { ...settings, name: `poll-${i + 1}` }));
    readers.push(clients.chatReader(proxy.url, room, { ...settings, name: `reader${i + 1}` }));
  }
  const sender = clients.chatSender(haproxy.url, room, { ...settings, name: 'sender' });
  const failures = [];
  try {
    await waitUntil(async () => readers.every((r) => r.ready()) && sender.ready(), 'every client to connect', 60_000, 50);
    const http = httpPublisher(haproxy.url, topic, opts.rate);
    const chat = chatPublisher(sender, Math.max(1, opts.rate / 2));
    await sleep(1000);
    const faults = [];
    const fault = (label) => {
      const entry = { label, at: Date.now() };
      faults.push(entry);
      return entry;
    };
    await scenario.run(fault, readers);
    await sleep(2000);
    await http.stop();
    await chat.stop();

    // What is known to be in the log: HTTP events answered 201, plus those whose answer was lost but
    // that a client received (so they were logged); chat messages the sender got an ack for.
    const receivedAnywhere = new Set(readers.filter((r) => r.record.transport !== 'websocket').flatMap((r) => r.record.received.map((e) => e.seq)));
    const httpExpected = new Map();
    let unknown = 0;
    for (const [seq, entry] of http.published) {
      if (entry.outcome === 'logged' || (entry.outcome === 'unknown' && receivedAnywhere.has(seq))) httpExpected.set(seq, entry.at);
      if (entry.outcome === 'unknown') unknown++;
    }
    const chatExpected = new Map([...sender.acked.keys()].map((seq) => [seq, sender.sentAt.get(seq)]));
    const expectedFor = (record) => (record.transport === 'websocket' ? chatExpected : httpExpected);
    const caughtUp = (r) => {
      const got = new Set(r.record.received.map((e) => e.seq));
      for (const seq of expectedFor(r.record).keys()) if (!got.has(seq)) return r.record.resets > 0 && scenario.resetsAllowed;
      return true;
    };
    await waitUntil(async () => readers.every(caughtUp), 'every client to catch up', 30_000, 100).catch(() => undefined);

    // Twice the heartbeat: SSE's `: ping` interval, the chat client's ping interval, and the poll hold
    // (a long poll is aborted POLL_ABORT_MARGIN_MS = 10 s after its hold, so with a 10 s hold: 2 x hold).
    const bounds = { sse: 2 * opts.sseHeartbeatMs, 'long-poll': 2 * opts.pollHoldMs, websocket: 2 * CHAT_PING_MS };
    const rows = [];
    for (const transport of ['sse', 'long-poll', 'websocket']) {
      const mine = readers.filter((r) => r.record.transport === transport);
      const expected = transport === 'websocket' ? chatExpected : httpExpected;
      const stats = mine.map((r) => ({ name: r.record.name, ...analyse(r.record, expected, faults) }));
      const sum = (key) => stats.reduce((total, s) => total + s[key], 0);
      const detect = stats.flatMap((s) => s.detect);
      const recover = stats.flatMap((s) => s.recover);
      rows.push({
        transport,
        published: expected.size,
        received: stats.map((s) => s.received).join(' '),
        lost: sum('lost'),
        duplicated: sum('duplicated'),
        outOfOrder: sum('outOfOrder'),
        resets: sum('resets'),
        reconnects: sum('reconnects'),
        detectMs: detect.length ? Math.max(...detect) : null,
        recoverMs: recover.length ? Math.max(...recover) : null,
        p50: percentile(stats.flatMap((s) => s.latencies), 50),
        p99: percentile(stats.flatMap((s) => s.latencies), 99),
      });
      for (const s of stats) {
        const who = `${transport} ${s.name}`;
        if (s.duplicated > 0) failures.push(`${who} got ${s.duplicated} duplicates`);
        if (s.outOfOrder > 0) failures.push(`${who} got ${s.outOfOrder} events out of order`);
        if (s.lost > 0 && !(scenario.resetsAllowed && s.resets > 0)) failures.push(`${who} lost ${s.lost} events${s.resets ? ` (with ${s.resets} reset)` : ' without a reset'}`);
        if (s.resets > 0 && !scenario.resetsAllowed) failures.push(`${who} got ${s.resets} resets`);
        if (s.endState !== 'open') failures.push(`${who} ended ${s.endState}`);
        if (scenario.stall) {
          if (s.detect.length === 0) failures.push(`${who} never noticed the stall`);
          else if (s.detect[0] > bounds[transport] + TIMER_SLACK_MS) {
            failures.push(`${who} noticed the stall after ${s.detect[0]} ms (bound ${bounds[transport]} ms + ${TIMER_SLACK_MS} ms slack)`);
          }
        }
      }
      if (expected.size === 0) failures.push(`${transport}: nothing was published`);
    }
    printTable(name, scenario, faults, rows, { unknown, pendingChat: sender.pending(), bounds: scenario.stall ? bounds : null });
    return { name, rows, failures };
  } finally {
    for (const reader of readers) reader.close();
    sender.close();
  }
}

function printTable(name, scenario, faults, rows, { unknown, pendingChat, bounds }) {
  const ms = (value) => (value === null ? '-' : String(Math.round(value)));
  console.log(`\n## ${name}: ${scenario.describe}`);
  console.log(`faults: ${faults.map((f) => f.label).join(', ') || 'none'}`);
  const header = ['transport', 'published', 'received per client', 'lost', 'dup', 'out of order', 'resets', 'reconnects', 'detect ms', 'recover ms', 'latency p50/p99 ms'];
  const table = rows.map((r) => [
    r.transport,
    String(r.published),
    r.received,
    String(r.lost),
    String(r.duplicated),
    String(r.outOfOrder),
    String(r.resets),
    String(r.reconnects),
    ms(r.detectMs) + (bounds ? ` (<= ${bounds[r.transport]})` : ''),
    ms(r.recoverMs),
    `${ms(r.p50)}/${ms(r.p99)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table) console.log(line(row));
  if (unknown > 0) {
    console.log(`(${unknown} HTTP publishes got no answer from an instance, only a proxy error or none; those a client received count as published)`);
  }
  if (pendingChat > 0) console.log(`(${pendingChat} chat messages still unacked at the end)`);
}

main().catch((error) => {
  console.error(`chaos: ${error.stack ?? error}`);
  process.exit(1);
});
