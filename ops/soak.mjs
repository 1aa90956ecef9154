// npm run soak [-- --minutes 10] [-- --clients 1000] [-- --instances 3] [-- --rate 10] [-- --churn 10]
// 1,000 clients of the three transports (the library's services, in Node) connect through
// HAProxy to Redis-backed instances, read, and churn (disconnect and come back, resuming from
// their cursor or fresh) while events are published. Every minute it prints RSS and heap per
// instance (from each instance's /metrics); at the end it says whether steady state grows.
// Uses a redis-server of its own unless REDIS_URL is set.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
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

const USAGE = `usage: npm run soak -- --minutes N [--clients 1000] [--instances 3] [--rate 10] [--churn 10]
  --minutes N     how long to run (default 10); the first minute is warm-up, a verdict needs 4 or more
  --clients C     clients, split 40% SSE, 30% long poll, 30% chat (default 1000)
  --instances N   demo-server instances behind HAProxy (default 3)
  --rate R        events per second, spread over 10 topics and 10 chat rooms (default 10)
  --churn K       clients that disconnect and come back each second (default 10)
  --history H     HISTORY_LIMIT of the instances (default 50: full within the warm-up minute,
                  so a history still filling up is not taken for a leak)
  REDIS_URL       use this Redis instead of starting one (keys of this run are not removed)`;

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        minutes: { type: 'string', default: '10' },
        clients: { type: 'string', default: '1000' },
        instances: { type: 'string', default: '3' },
        rate: { type: 'string', default: '10' },
        churn: { type: 'string', default: '10' },
        history: { type: 'string', default: '50' },
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
  const number = (name, min, max) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || value > max) usageError(`--${name} must be a number ${min}..${max}, got ${values[name]}`);
    return value;
  };
  return {
    minutes: number('minutes', 1, 24 * 60),
    clients: Math.round(number('clients', 3, 5000)),
    instances: Math.round(number('instances', 1, 16)),
    rate: number('rate', 0.1, 1000),
    churn: Math.round(number('churn', 0, 1000)),
    history: Math.round(number('history', 1, 100_000)),
  };
}

function usageError(message) {
  console.error(`soak: ${message}\n${USAGE}`);
  process.exit(2);
}

const TOPICS = 10;
const MIB = 1024 * 1024;

/** Reads one gauge's value from Prometheus text. */
function gauge(text, name) {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

async function memoryOf(instance) {
  try {
    const response = await fetch(`${instance.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await response.text();
    return { rss: gauge(text, 'process_resident_memory_bytes'), heap: gauge(text, 'nodejs_heap_size_used_bytes') };
  } catch {
    return { rss: null, heap: null };
  }
}

async function main() {
  const opts = options();
  let redis = null;
  try {
    requireBinary('haproxy');
    if (!process.env.REDIS_URL) requireBinary('redis-server');
  } catch (error) {
    if (error instanceof MissingBinaryError) {
      console.error(`soak: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const clients = await import('./support/library-clients.mjs');
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    redis = redisServer({ port: await freePort() });
    await redis.start();
    redisUrl = redis.url;
  }
  const instances = [];
  for (let i = 0; i < opts.instances; i++) {
    instances.push(demoInstance({ name: `rt${i + 1}`, port: await freePort(), env: { REDIS_URL: redisUrl, MAX_CONNECTIONS_PER_IP: '20000', HISTORY_LIMIT: String(opts.history) } }));
  }
  await Promise.all(instances.map((instance) => instance.start()));
  const haproxy = await startHaproxy({ port: await freePort(), backends: instances, maxconn: 9000 });
  const health = await getJson(`${instances[0].url}/api/health`);
  const runId = randomBytes(3).toString('hex');
  const topic = (i) => `soak-${runId}-${i % TOPICS}`;
  console.log(
    `soak ${new Date().toISOString()}: ${opts.minutes} min, ${opts.clients} clients through HAProxy ${haproxy.url} to ${opts.instances}` +
      ` instances (log: ${health?.body?.log ?? 'unknown'}, HISTORY_LIMIT ${opts.history}), Redis ${redisUrl}, ${opts.rate} events/s` +
      ` and ${opts.rate} chat messages/s over ${TOPICS} topics and rooms, ${opts.churn} clients churned/s`,
  );

  const settings = { heartbeatMs: 15_000, holdMs: 25_000 };
  const make = (kind, i) => {
    if (kind === 'sse') return clients.sseReader(haproxy.url, topic(i), { ...settings, name: `sse-${i}` });
    if (kind === 'long-poll') return clients.longPollReader(haproxy.url, topic(i), { ...settings, name: `poll-${i}` });
    return clients.chatReader(haproxy.url, topic(i), { ...settings, name: `soak${i}` });
  };
  const kinds = [];
  for (let i = 0; i < opts.clients; i++) {
    const share = i / opts.clients;
    kinds.push(share < 0.4 ? 'sse' : share < 0.7 ? 'long-poll' : 'websocket');
  }
  const slots = [];
  let received = 0;
  const counted = new Map();
  const countReceived = () => {
    for (const slot of slots) {
      const now = slot.client.record.received.length;
      received += now - (counted.get(slot.client) ?? 0);
      counted.set(slot.client, now);
      // Forget what was counted so a long soak does not grow in the load generator.
      if (now > 1000) {
        slot.client.record.received.length = 0;
        counted.set(slot.client, 0);
      }
    }
  };
  // Connect in batches so the start is a ramp, not a thundering herd.
  for (let i = 0; i < opts.clients; i++) {
    slots.push({ kind: kinds[i], index: i, client: make(kinds[i], i) });
    if (i % 50 === 49) await sleep(200);
  }
  await waitUntil(async () => slots.every((slot) => slot.client.ready()), `${opts.clients} clients to connect`, 120_000, 250).catch((error) => {
    console.warn(`soak: ${error.message} (${slots.filter((s) => s.client.ready()).length} ready); going on`);
  });

  // Publishers: HTTP events to the topics, chat messages from a few senders in the rooms.
  const senders = [];
  for (let r = 0; r < TOPICS; r++) senders.push(clients.chatSender(haproxy.url, topic(r), { ...settings, name: `sender${r}` }));
  await waitUntil(async () => senders.every((sender) => sender.ready()), 'the chat senders to join', 60_000, 250);
  let published = 0;
  let publishErrors = 0;
  let running = true;
  const publishing = (async () => {
    let next = Date.now();
    for (let n = 0; running; n++) {
      next += 1000 / opts.rate;
      try {
        const response = await fetch(`${haproxy.url}/api/topics/${topic(n)}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'tick', data: { seq: n, pad: 'x'.repeat(200) } }),
          signal: AbortSignal.timeout(5000),
        });
        await response.arrayBuffer();
        if (response.status === 201) published++;
        else publishErrors++;
      } catch {
        publishErrors++;
      }
      senders[n % TOPICS].tick();
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      else next = Date.now();
    }
  })();
  let churned = 0;
  const churning = setInterval(() => {
    for (let k = 0; k < opts.churn; k++) {
      const slot = slots[Math.floor(Math.random() * slots.length)];
      slot.client.close();
      slot.client = make(slot.kind, slot.index);
      churned++;
    }
  }, 1000);

  // Once a minute: each instance's RSS and heap from /metrics, and its heap after a forced full GC
  // (what it really keeps), asked through the memory probe preloaded into every instance.
  const rows = []; // { minute, instance, rss, heap, heapAfterGc }
  const started = Date.now();
  console.log('\n| minute | instance | RSS MiB | heap used MiB | heap after GC MiB | connections sse/poll/ws | received/s | published | churned |');
  console.log('|---:|---|---:|---:|---:|---|---:|---:|---:|');
  let lastReceived = 0;
  let lastAt = started;
  for (let minute = 1; minute <= opts.minutes; minute++) {
    await sleep(Math.max(0, started + minute * 60_000 - Date.now()));
    countReceived();
    const at = Date.now();
    const perSecond = Math.round((received - lastReceived) / ((at - lastAt) / 1000));
    lastReceived = received;
    lastAt = at;
    for (const [i, instance] of instances.entries()) {
      const [memory, afterGc, healthNow] = await Promise.all([
        memoryOf(instance),
        instance.memoryAfterGc(),
        getJson(`${instance.url}/api/health`),
      ]);
      const row = { minute, instance: instance.name, rss: memory.rss, heap: memory.heap, heapAfterGc: afterGc?.heapUsed ?? null };
      rows.push(row);
      const c = healthNow?.body?.connections;
      const mib = (value) => (value === null ? '-' : (value / MIB).toFixed(1));
      console.log(
        `| ${minute} | ${instance.name} | ${mib(row.rss)} | ${mib(row.heap)} | ${mib(row.heapAfterGc)} | ${c ? `${c.sse}/${c.longPoll}/${c.websocket}` : '-'} |` +
          ` ${i === 0 ? perSecond : ''} | ${i === 0 ? published : ''} | ${i === 0 ? churned : ''} |`,
      );
    }
  }
  running = false;
  clearInterval(churning);
  await publishing;
  countReceived();
  // The last second's replacements may still be connecting: give them a moment before counting.
  await waitUntil(async () => slots.every((slot) => slot.client.record.currentState === 'open'), 'every client to be open', 15_000, 250).catch(
    () => undefined,
  );

  // Steady state: the first minute is warm-up (connections ramp, history fills to HISTORY_LIMIT).
  // After it, the heap after a full GC must not keep rising: compare the last minute with the lowest
  // of the first two steady minutes.
  console.log('');
  let grows = false;
  let judged = 0;
  for (const instance of instances) {
    const steady = rows.filter((r) => r.instance === instance.name && r.minute >= 2 && r.heapAfterGc !== null);
    if (steady.length < 2) {
      console.log(`${instance.name}: too few minutes after the warm-up minute to judge (run at least 4 minutes)`);
      continue;
    }
    judged++;
    const base = Math.min(...steady.slice(0, 2).map((r) => r.heapAfterGc));
    const last = steady.at(-1);
    const growth = last.heapAfterGc - base;
    const instanceGrows = steady.length >= 3 && growth > Math.max(3 * MIB, 0.1 * base);
    grows ||= instanceGrows;
    const rssFirst = steady[0].rss;
    console.log(
      `${instance.name}: heap after GC ${(base / MIB).toFixed(1)} -> ${(last.heapAfterGc / MIB).toFixed(1)} MiB (minutes 2..${last.minute}),` +
        ` RSS ${rssFirst === null ? '-' : (rssFirst / MIB).toFixed(1)} -> ${last.rss === null ? '-' : (last.rss / MIB).toFixed(1)} MiB: ` +
        (steady.length < 3 ? 'too short to judge (run at least 4 minutes)' : instanceGrows ? 'GROWS' : 'steady'),
    );
    if (steady.length < 3) judged--;
  }
  const notOpen = slots.filter((slot) => slot.client.record.currentState !== 'open').length;
  console.log(
    `published ${published} events (${publishErrors} failed), received ${received} in all, churned ${churned} clients; ${notOpen} of ${slots.length} clients not open at the end`,
  );

  for (const slot of slots) slot.client.close();
  for (const sender of senders) sender.close();
  await haproxy.stop();
  await Promise.all(instances.map((instance) => instance.kill('SIGTERM')));
  await redis?.stop('SIGTERM');
  const failed = grows || publishErrors > 0;
  if (failed) console.log('\nsoak FAILED: steady state grows or publishing failed');
  else if (judged === 0) console.log('\nsoak ran, but too short to say whether steady state grows');
  else console.log('\nsoak passed: steady state does not grow');
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(`soak: ${error.stack ?? error}`);
  process.exit(1);
});
