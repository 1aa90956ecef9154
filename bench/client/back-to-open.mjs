// `npm run bench:reconnect [-- --cuts=40] [-- --only=sse,chat-ws] [-- --json]`: how long the library's
// services take to get back to `open`, and to the first new event, after the connection is cut
// while the server stays up. The built library runs in Node (Node's fetch and `ws`, as in
// ops/support/library-clients.mjs) with its default reconnect settings, through a TCP proxy that
// closes every open connection on `cut()` (ops/support/fault-proxy.mjs), against the real
// demo-server (its default `retry: 2000` on SSE). After each cut one marker event is published
// straight to the server; "cut → first new event" is when the client has it.
import os from 'node:os';
import { setPostSignalSetFn } from '@angular/core/primitives/signals';
import WebSocket from 'ws';
import { lib, serviceInjector } from '../../ops/support/built-library.mjs';
import { startFaultProxy } from '../../ops/support/fault-proxy.mjs';
import { demoInstance, freePort, sleep } from '../../ops/support/processes.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const CUTS = Number(option('cuts', args.includes('--quick') ? 10 : 40));
const TARGET_MS = 500;
/** A cut that is not back within this long counts as this long (and as a miss). */
const GIVE_UP_MS = 15_000;

const TRANSPORTS = {
  sse: { label: 'notifications over SSE', kind: 'stream', service: 'notifications', order: ['sse'] },
  'sse-long-poll': { label: 'notifications over long poll', kind: 'stream', service: 'notifications', order: ['long-poll'] },
  'long-poll': { label: 'LongPollService', kind: 'stream', service: 'long-poll' },
  'chat-ws': { label: 'chat over WebSocket', kind: 'chat', order: ['websocket'] },
  'chat-sse': { label: 'chat over SSE + POST', kind: 'chat', order: ['sse'] },
  'chat-long-poll': { label: 'chat over long poll + POST', kind: 'chat', order: ['long-poll'] },
};
const only = option('only', Object.keys(TRANSPORTS).join(',')).split(',');
for (const name of only) if (!TRANSPORTS[name]) throw new Error(`unknown transport ${name}; use ${Object.keys(TRANSPORTS).join(', ')}`);

/**
 * Every signal write runs this hook (Angular's primitives call it synchronously after the write):
 * the watchers read their client's signals in a microtask, so state changes and arrivals are timed
 * to the write, not to a polling interval.
 */
const watchers = new Set();
let checkQueued = false;
setPostSignalSetFn(() => {
  if (checkQueued) return;
  checkQueued = true;
  queueMicrotask(() => {
    checkQueued = false;
    for (const watch of watchers) watch();
  });
});

function injectorFor(baseUrl, service, order) {
  return serviceInjector(baseUrl, service, () => (order ? [lib.withTransports(order)] : []));
}

/** A client of one transport through `proxyUrl`: its state changes and marker arrivals with their times. */
function client(name, spec, proxyUrl) {
  const log = { states: [], markers: new Map() };
  const note = (state) => {
    if (log.states.at(-1)?.state !== state) log.states.push({ state, at: performance.now() });
  };
  const marker = (text) => {
    if (typeof text === 'string' && text.startsWith('cut-') && !log.markers.has(text)) log.markers.set(text, performance.now());
  };
  let injector;
  let stateOf;
  let ready = () => stateOf() === 'open';
  let stop = () => undefined;
  const topic = `bench-${name}`;
  if (spec.kind === 'stream') {
    if (spec.service === 'long-poll') {
      injector = injectorFor(proxyUrl, lib.LongPollService);
      const feed = injector.get(lib.LongPollService).watch(topic);
      feed.events$.subscribe((event) => marker(event.data?.marker));
      stateOf = () => feed.state();
      stop = () => feed.stop();
    } else {
      injector = injectorFor(proxyUrl, lib.NotificationService, spec.order);
      const service = injector.get(lib.NotificationService);
      service.events$.subscribe((event) => marker(event.data?.marker));
      service.connect(topic);
      stateOf = () => service.state();
    }
  } else {
    injector = injectorFor(proxyUrl, lib.ChatService, spec.order);
    const chat = injector.get(lib.ChatService);
    const handle = chat.join(topic);
    chat.connect({ name: `reader-${name}` });
    let lastList = null;
    stateOf = () => {
      const list = handle.messages();
      if (list !== lastList) {
        for (let i = list.length - 1; i >= 0 && i >= list.length - 5; i--) marker(list[i].text);
        lastList = list;
      }
      return chat.state();
    };
    ready = () => stateOf() === 'open' && handle.joined();
  }
  const watch = () => note(stateOf());
  watchers.add(watch);
  watch();
  return {
    log,
    topic,
    open: () => ready(),
    close: () => {
      watchers.delete(watch);
      stop();
      injector.destroy();
    },
  };
}

/** Publishes markers straight to the server (not through the proxy): HTTP for topics, a chat member for rooms. */
async function publisher(serverUrl, spec, topic) {
  if (spec.kind === 'stream') {
    return {
      publish: (text) =>
        fetch(`${serverUrl}/api/topics/${topic}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'marker', data: { marker: text } }),
        }).then((res) => res.arrayBuffer()),
      close: () => undefined,
    };
  }
  const socket = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}/api/chat?name=publisher`);
  await new Promise((resolve, reject) => {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'welcome') socket.send(JSON.stringify({ type: 'join', room: topic }));
      if (frame.type === 'joined') resolve();
    });
    socket.on('error', reject);
  });
  let n = 0;
  return {
    publish: (text) => socket.send(JSON.stringify({ type: 'send', room: topic, clientId: `p${++n}`, text })),
    close: () => socket.close(),
  };
}

async function until(check, timeoutMs) {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) return false;
    await sleep(5);
  }
  return true;
}

async function measureTransport(name, server) {
  const spec = TRANSPORTS[name];
  const proxy = await startFaultProxy(server.url);
  const c = client(name, spec, proxy.url);
  const pub = await publisher(server.url, spec, c.topic);
  const samples = [];
  try {
    if (!(await until(c.open, 20_000))) throw new Error(`${spec.label}: not open within 20 s`);
    await sleep(500); // the first connect settles (a race, a first poll)
    for (let i = 1; i <= CUTS; i++) {
      if (!(await until(c.open, GIVE_UP_MS))) throw new Error(`${spec.label}: not open before cut ${i}`);
      await sleep(300 + Math.random() * 500);
      const text = `cut-${name}-${i}`;
      const from = c.log.states.length;
      const t0 = performance.now();
      const links = proxy.cut();
      pub.publish(text);
      await until(() => c.log.markers.has(text) && c.open(), GIVE_UP_MS);
      const after = c.log.states.slice(from);
      const left = after.findIndex((s) => s.state !== 'open');
      const reopened = left >= 0 ? after.slice(left).find((s) => s.state === 'open') : null;
      samples.push({
        links,
        leftOpen: left >= 0,
        openMs: left < 0 ? 0 : reopened ? reopened.at - t0 : GIVE_UP_MS,
        eventMs: c.log.markers.has(text) ? c.log.markers.get(text) - t0 : GIVE_UP_MS,
        path: after.map((s) => `${s.state}@${Math.round(s.at - t0)}`).join(' '),
      });
      if (args.includes('--verbose')) console.error(`${name} cut ${i}: ${samples.at(-1).path}; event ${Math.round(samples.at(-1).eventMs)} ms`);
    }
  } finally {
    pub.close();
    c.close();
    await proxy.close();
  }
  return { name, label: spec.label, samples };
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};

const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const loadAtStart = loadAverage();
const startedAt = new Date();
const server = demoInstance({ name: 'demo-server', port: await freePort(), env: { MAX_CONNECTIONS_PER_IP: '1000' } });
await server.start();
const results = [];
try {
  for (const name of only) results.push(await measureTransport(name, server));
} finally {
  await server.kill('SIGTERM');
}

const f = (ms) => (ms >= GIVE_UP_MS ? `> ${GIVE_UP_MS}` : String(Math.round(ms)));
console.log(
  `\n${startedAt.toISOString()} to ${new Date().toISOString()}, nproc ${os.availableParallelism()}, node ${process.version}, ` +
    `${CUTS} cuts per transport, library reconnect defaults, load average ${loadAtStart} at start, ${loadAverage()} at end`,
);
console.log('| transport | cuts | cut → open: median / p95 / max (ms) | cut → first new event: median / p95 / max (ms) | cuts over 500 ms to open | stayed open |');
console.log('|---|---:|---|---|---:|---:|');
for (const r of results) {
  const open = r.samples.map((s) => s.openMs);
  const event = r.samples.map((s) => s.eventMs);
  const over = open.filter((ms) => ms > TARGET_MS).length;
  const stayed = r.samples.filter((s) => !s.leftOpen).length;
  console.log(
    `| ${r.label} | ${r.samples.length} | ${f(quantile(open, 0.5))} / ${f(quantile(open, 0.95))} / ${f(Math.max(...open))} | ` +
      `${f(quantile(event, 0.5))} / ${f(quantile(event, 0.95))} / ${f(Math.max(...event))} | ${over} | ${stayed} |`,
  );
}
if (args.includes('--json')) console.log(JSON.stringify(results, null, 2));
process.exit(0);
