// node ops/scaling-figures.mjs [--quick]   (after npm run build:server)
// The figures in docs/SCALING.md, measured side by side so ratios hold on a busy machine:
// 1. publish-to-delivery latency with the Redis log, reader on the publishing instance vs on
//    another instance, next to the in-memory log;
// 2. appends per second through Redis vs the in-memory log (HTTP publishes, 16 at a time);
// 3. fan-out: the same SSE readers on 1 instance vs spread over 2, with each instance's CPU time.
// Starts its own redis-server; every process stays on loopback.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { openSseStreams } from '../bench/load/sse-clients.mjs';
import { demoInstance, freePort, redisServer, sleep } from './support/processes.mjs';

const quick = process.argv.includes('--quick');
const READERS = quick ? 50 : 200;
const RATE = 50;
const LATENCY_S = quick ? 5 : 20;
const THROUGHPUT_S = quick ? 3 : 10;
const FANOUT_READERS = quick ? 200 : 2000;
const FANOUT_EVENTS = quick ? 20 : 100;
const FANOUT_RATE = 20;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs one event over a keep-alive pool; resolves with the id (or null on failure). */
function publish(url, topic, data) {
  const body = JSON.stringify({ type: 'tick', data });
  return new Promise((resolve) => {
    const req = http.request(
      `${url}/api/topics/${topic}/events`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(res.statusCode === 201 ? JSON.parse(text).id : null));
      },
    );
    req.on('error', () => resolve(null));
    req.end(body);
  });
}

const pct = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** CPU time (user + system) of `pid` in ms, from /proc. */
async function cpuMs(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/**
 * Opens readers on each `url`, publishes `count` events to `publishUrl` at `rate`/s, returns latencies
 * per group and the CPU time each of `instances` spent from the first publish to the last delivery.
 */
async function delivery(groups, publishUrl, topic, count, rate, instances = []) {
  const sentAt = new Map();
  const arrivals = [];
  const streams = [];
  for (const group of groups) {
    const opened = await openSseStreams(group.url, topic, group.readers, {
      concurrency: 100,
      onEvent: (_stream, id) => arrivals.push({ group: group.name, id, at: performance.now() }),
    });
    streams.push(...opened);
  }
  await sleep(500);
  const cpuBefore = await Promise.all(instances.map((instance) => cpuMs(instance.pid)));
  let next = performance.now();
  for (let n = 0; n < count; n++) {
    const started = performance.now();
    const id = await publish(publishUrl, topic, { n });
    if (id) sentAt.set(id, started);
    next += 1000 / rate;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await sleep(2000);
  const cpuAfter = await Promise.all(instances.map((instance) => cpuMs(instance.pid)));
  for (const stream of streams) stream.close();
  const result = { cpu: Object.fromEntries(instances.map((instance, i) => [instance.name, cpuAfter[i] - cpuBefore[i]])) };
  for (const group of groups) {
    const latencies = arrivals.filter((a) => a.group === group.name && sentAt.has(a.id)).map((a) => a.at - sentAt.get(a.id));
    result[group.name] = { deliveries: latencies.length, expected: group.readers * sentAt.size, p50: pct(latencies, 50), p99: pct(latencies, 99) };
  }
  return result;
}

/** Appends per second: `concurrency` publishers, round-robin over `urls`, for `seconds`. */
async function throughput(urls, topic, seconds, concurrency = 16) {
  let done = 0;
  let failed = 0;
  const end = performance.now() + seconds * 1000;
  let k = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const id = await publish(urls[k++ % urls.length], topic, { k });
        if (id) done++;
        else failed++;
      }
    }),
  );
  return { perSecond: Math.round(done / seconds), failed };
}

async function main() {
  const redis = redisServer({ port: await freePort() });
  await redis.start();
  const env = { MAX_CONNECTIONS_PER_IP: '20000' };
  const a = demoInstance({ name: 'A', port: await freePort(), env: { ...env, REDIS_URL: redis.url } });
  const b = demoInstance({ name: 'B', port: await freePort(), env: { ...env, REDIS_URL: redis.url } });
  const m = demoInstance({ name: 'M', port: await freePort(), env });
  await Promise.all([a.start(), b.start(), m.start()]);
  const log = async (instance) => (await (await fetch(`${instance.url}/api/health`)).json()).log;
  console.log(`scaling figures ${new Date().toISOString()}${quick ? ' (quick)' : ''}: A and B share Redis (log: ${await log(a)}), M keeps its log in memory (log: ${await log(m)})`);

  const count = RATE * LATENCY_S;
  console.log(`\n1. publish-to-delivery latency, ${RATE} events/s for ${LATENCY_S} s, ${READERS} SSE readers per group, published on A`);
  const redisRun = await delivery([{ name: 'same instance (A)', url: a.url, readers: READERS }, { name: 'other instance (B)', url: b.url, readers: READERS }], a.url, `lat-${Date.now()}`, count, RATE);
  const memoryRun = await delivery([{ name: 'in-memory log (M)', url: m.url, readers: READERS }], m.url, `lat-${Date.now()}`, count, RATE);
  const { cpu: _cpuRedis, ...redisGroups } = redisRun;
  const { cpu: _cpuMemory, ...memoryGroups } = memoryRun;
  for (const [name, r] of Object.entries({ ...redisGroups, ...memoryGroups })) {
    console.log(`  ${name.padEnd(20)} p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  (${r.deliveries}/${r.expected} deliveries)`);
  }

  console.log(`\n2. appends per second, 16 concurrent HTTP publishers for ${THROUGHPUT_S} s each, two rounds in turn`);
  const rounds = { 'Redis log, publishing on A only': [], 'Redis log, publishing on A and B': [], 'in-memory log, one instance': [] };
  for (let round = 0; round < 2; round++) {
    rounds['Redis log, publishing on A only'].push(await throughput([a.url], `tp1-${round}-${Date.now()}`, THROUGHPUT_S));
    rounds['Redis log, publishing on A and B'].push(await throughput([a.url, b.url], `tp2-${round}-${Date.now()}`, THROUGHPUT_S));
    rounds['in-memory log, one instance'].push(await throughput([m.url], `tpm-${round}-${Date.now()}`, THROUGHPUT_S));
  }
  for (const [name, results] of Object.entries(rounds)) {
    console.log(`  ${name.padEnd(34)} ${results.map((r) => `${r.perSecond}/s`).join(', ')} (${results.reduce((s, r) => s + r.failed, 0)} failed)`);
  }

  console.log(`\n3. fan-out: ${FANOUT_READERS} SSE readers, ${FANOUT_EVENTS} events at ${FANOUT_RATE}/s published on A`);
  for (const split of [1, 2]) {
    const groups = split === 1
      ? [{ name: 'A', url: a.url, readers: FANOUT_READERS }]
      : [{ name: 'A', url: a.url, readers: FANOUT_READERS / 2 }, { name: 'B', url: b.url, readers: FANOUT_READERS / 2 }];
    const r = await delivery(groups, a.url, `fan-${split}-${Date.now()}`, FANOUT_EVENTS, FANOUT_RATE, [a, b]);
    const { cpu, ...byGroup } = r;
    const all = Object.values(byGroup);
    const deliveries = all.reduce((s, g) => s + g.deliveries, 0);
    console.log(
      `  ${split} instance${split > 1 ? 's' : ' '}: ${deliveries}/${all.reduce((s, g) => s + g.expected, 0)} deliveries, ` +
        all.map((g, i) => `${groups[i].name} p50 ${g.p50.toFixed(1)} / p99 ${g.p99.toFixed(1)} ms`).join(', ') +
        `; CPU while publishing: A ${Math.round(cpu.A)} ms, B ${Math.round(cpu.B)} ms` +
        ` (${((1000 * (cpu.A + cpu.B)) / deliveries).toFixed(1)} µs per delivery)`,
    );
  }
  await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM'), m.kill('SIGTERM')]);
  await redis.stop('SIGTERM');
  agent.destroy();
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
