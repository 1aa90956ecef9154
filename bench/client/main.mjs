// `npm run bench:client [-- --quick]`: the demo app in Chromium under bursts. The notification list
// (SSE) and a chat room (WebSocket) each receive 1,000 and 10,000 events/s for 10 s (--quick: 3 s),
// published by 8 concurrent publishers as a backend would. Reported per run: the rate the server
// really delivered, main-thread busy time per 1,000 events (CDP TaskDuration), renders per second
// (animation frames in which the list's DOM changed), long tasks (PerformanceObserver), signal
// writes per animation frame (the service's list signal and all signals; counted in the page), and the
// JS heap after a full GC once the page has received --heap-events (default 1,000,000; --quick 20,000).
import http from 'node:http';
import os from 'node:os';
import WebSocket from 'ws';
import { launchBrowser } from '../../e2e/support/browser.mjs';
import { demoServer, freePort } from '../../e2e/support/server.mjs';
import { joinChat, waitForState } from '../../e2e/support/page.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flag = (name, fallback) => {
  const found = args.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};
const SECONDS = flag('seconds', quick ? 3 : 10);
const RATES = [1000, 10000];
const HEAP_EVENTS = flag('heap-events', quick ? 20_000 : 1_000_000);
// The heap runs are paced: unpaced, 8 WebSocket publishers reach 100,000+ events/s on a quiet
// machine, far beyond what a page renders, and the run would measure the backlog, not the library.
const HEAP_RATE = flag('heap-rate', 20_000);
const PUBLISHERS = 8;
const HEAP_ROOM = 'bench-heap';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Instrumentation in the page, installed before the app's scripts run (nothing in the library or
 * the demo changes): long tasks; frames in which the watched element's subtree changed (renders)
 * and how many separate DOM-changing passes (MutationObserver deliveries) each frame had; and
 * signal writes per frame. Angular creates every writable signal's node with
 * `Object.create(SIGNAL_NODE)` and increments the node's `version` exactly once per write that
 * changes the value, so a `version` setter on each new signal node counts the writes; the value
 * just written tells which signal it is (the service's list: notifications or chat messages).
 */
const PAGE_PROBE = () => {
  const probe = {
    longTasks: 0, longTaskMs: 0, frames: 0, renders: 0, domPasses: 0, maxDomPassesPerFrame: 0,
    writes: 0, listWrites: 0, framesWithListWrite: 0, maxListWritesPerFrame: 0, maxWritesToOneSignalPerFrame: 0,
    signalsCreated: 0, observer: null,
  };
  let passesThisFrame = 0;
  let listWritesThisFrame = 0;
  const writesThisFrame = new Map();
  let totals = new Map();
  const describe = (value) => {
    if (Array.isArray(value)) {
      const item = value[0];
      return `array of ${typeof item === 'object' && item !== null ? `{${Object.keys(item).join(',')}}` : typeof item}`;
    }
    if (typeof value === 'object' && value !== null) return `{${Object.keys(value).join(',')}}`;
    return `${typeof value} (${String(value).slice(0, 24)})`;
  };
  /** The signals written most since the last call, with what they hold, for telling the writers apart. */
  probe.topWriters = () => {
    const top = [...totals].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([node, writes]) => ({ writes, holds: describe(node.value) }));
    totals = new Map();
    return top;
  };
  const isList = (value) => {
    if (!Array.isArray(value) || value.length === 0) return false;
    const item = value[0];
    if (typeof item !== 'object' || item === null) return false;
    return ('topic' in item && 'read' in item) || ('room' in item && 'text' in item && 'status' in item);
  };
  const create = Object.create;
  Object.create = function (proto, properties) {
    const node = properties === undefined ? create(proto) : create(proto, properties);
    if (proto !== null && typeof proto === 'object' && proto.kind === 'signal' && 'version' in proto && 'equal' in proto) {
      probe.signalsCreated++;
      let version = node.version;
      Object.defineProperty(node, 'version', {
        configurable: true,
        enumerable: true,
        get: () => version,
        set: (value) => {
          version = value;
          probe.writes++;
          writesThisFrame.set(node, (writesThisFrame.get(node) ?? 0) + 1);
          totals.set(node, (totals.get(node) ?? 0) + 1);
          if (isList(node.value)) {
            probe.listWrites++;
            listWritesThisFrame++;
          }
        },
      });
    }
    return node;
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      probe.longTasks++;
      probe.longTaskMs += entry.duration;
    }
  }).observe({ type: 'longtask', buffered: false });
  probe.watch = (selector) => {
    probe.observer?.disconnect();
    const target = document.querySelector(selector);
    probe.observer = new MutationObserver(() => passesThisFrame++);
    probe.observer.observe(target, { childList: true, subtree: true, characterData: true });
  };
  const frame = () => {
    probe.frames++;
    if (passesThisFrame > 0) probe.renders++;
    probe.domPasses += passesThisFrame;
    probe.maxDomPassesPerFrame = Math.max(probe.maxDomPassesPerFrame, passesThisFrame);
    passesThisFrame = 0;
    if (listWritesThisFrame > 0) probe.framesWithListWrite++;
    probe.maxListWritesPerFrame = Math.max(probe.maxListWritesPerFrame, listWritesThisFrame);
    listWritesThisFrame = 0;
    for (const count of writesThisFrame.values()) probe.maxWritesToOneSignalPerFrame = Math.max(probe.maxWritesToOneSignalPerFrame, count);
    writesThisFrame.clear();
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  probe.resetMaxima = () => {
    probe.maxDomPassesPerFrame = 0;
    probe.maxListWritesPerFrame = 0;
    probe.maxWritesToOneSignalPerFrame = 0;
  };
  window.__benchProbe = probe;
};

/**
 * Sends `total` events at `rate` per second through `send(i)` from `loops` concurrent publishers;
 * resolves with the achieved rate. `progress(done)` is called every 100,000 events.
 */
async function drive(rate, total, send, { loops = PUBLISHERS, progress = null } = {}) {
  const start = performance.now();
  let next = 0;
  const loop = async () => {
    while (next < total) {
      const i = next++;
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      await send(i);
      if (progress && (i + 1) % 100_000 === 0) progress(i + 1);
    }
  };
  await Promise.all(Array.from({ length: loops }, loop));
  return total / ((performance.now() - start) / 1000);
}

function httpPublisher(url, topic, sockets) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const send = (i) => {
    const body = JSON.stringify({ type: 'notification', data: { title: `Burst ${i}`, text: `event ${i}` } });
    return new Promise((resolve, reject) => {
      const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const req = http.request(`${url}/api/topics/${topic}/events`, { method: 'POST', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`publish answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  };
  return { send, loops: sockets, close: () => agent.destroy() };
}

async function chatPublishers(url, room) {
  const members = await Promise.all(
    Array.from({ length: PUBLISHERS }, (_, k) => new Promise((resolve, reject) => {
      const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/chat?name=burst${k}`, { perMessageDeflate: false });
      const onMessage = (data) => {
        const frame = JSON.parse(String(data));
        if (frame.type === 'welcome') socket.send(JSON.stringify({ type: 'join', room }));
        if (frame.type === 'joined') {
          // a member receives every message of the room, its own too: not parsing them keeps the generator fast
          // enough to read them, so the server does not drop it as a slow consumer
          socket.off('message', onMessage);
          resolve(socket);
        }
      };
      socket.on('message', onMessage);
      socket.on('error', reject);
    })),
  );
  let n = 0;
  return {
    // WebSocket sends are not acknowledged here; pace by the socket's buffer so the generator does not run ahead
    send: async (i) => {
      const socket = members[i % PUBLISHERS];
      while (socket.bufferedAmount > 1 << 20) {
        if (socket.readyState !== WebSocket.OPEN) throw new Error(`publisher ${i % PUBLISHERS} was disconnected`);
        await sleep(5);
      }
      if (socket.readyState !== WebSocket.OPEN) throw new Error(`publisher ${i % PUBLISHERS} was disconnected`);
      socket.send(JSON.stringify({ type: 'send', room, clientId: `b${++n}`, text: `burst ${i}` }));
    },
    loops: PUBLISHERS,
    close: () => members.forEach((s) => s.close()),
  };
}

const probeState = (page) =>
  page.evaluate(() => {
    const { observer, watch, resetMaxima, topWriters, ...counters } = window.__benchProbe;
    return counters;
  });

async function measure(page, cdp, rate, total, publisher) {
  const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  await page.evaluate(() => (window.__benchProbe.resetMaxima(), window.__benchProbe.topWriters()));
  const before = await probeState(page);
  const metricsBefore = await metric();
  const t0 = performance.now();
  const achieved = await drive(rate, total, publisher.send);
  await sleep(500); // the last events reach the page
  const seconds = (performance.now() - t0) / 1000;
  const metricsAfter = await metric();
  const after = await probeState(page);
  const d = (name) => after[name] - before[name];
  const topWriters = await page.evaluate(() => window.__benchProbe.topWriters());
  const busyMs = (metricsAfter.TaskDuration - metricsBefore.TaskDuration) * 1000;
  return {
    rate,
    achievedRate: Math.round(achieved),
    events: total,
    busyMsPer1000: (busyMs / total) * 1000,
    rendersPerSecond: d('renders') / seconds,
    framesPerSecond: d('frames') / seconds,
    domPassesPerRender: d('domPasses') / Math.max(1, d('renders')),
    maxDomPassesPerFrame: after.maxDomPassesPerFrame,
    longTasks: d('longTasks'),
    longTaskMs: d('longTaskMs'),
    listWrites: d('listWrites'),
    eventsPerListWrite: total / Math.max(1, d('listWrites')),
    listWritesPerWriteFrame: d('listWrites') / Math.max(1, d('framesWithListWrite')),
    maxListWritesPerFrame: after.maxListWritesPerFrame,
    signalWritesPerWriteFrame: d('writes') / Math.max(1, d('framesWithListWrite')),
    maxWritesToOneSignalPerFrame: after.maxWritesToOneSignalPerFrame,
    topWriters,
  };
}

async function heapAfter(view, cdp, events, publisher) {
  await cdp.send('HeapProfiler.collectGarbage');
  const used = async () => (await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20;
  const start = await used();
  // a sample after GC at every quarter of the run shows whether the heap grows along the way
  const quarter = Math.max(100_000, Math.floor(events / 4 / 100_000) * 100_000);
  const samples = [];
  const t0 = performance.now();
  const achieved = await drive(HEAP_RATE, events, publisher.send, {
    loops: publisher.loops,
    progress: (done) => {
      process.stderr.write(`${view}: ${done} events published (${Math.round(done / ((performance.now() - t0) / 1000))} ev/s)\n`);
      if (done % quarter === 0 && done < events) {
        samples.push(cdp.send('HeapProfiler.collectGarbage').then(used).then((mib) => ({ events: done, mib })));
      }
    },
  });
  await sleep(1000);
  await cdp.send('HeapProfiler.collectGarbage');
  const after = await used();
  return { events, achievedRate: Math.round(achieved), heapBeforeMiB: start, heapAfterMiB: after, samples: await Promise.all(samples) };
}

const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const loadAtStart = loadAverage();
const startedAt = new Date();
let stopping = null;
const stopOnSignal = (signal) => process.once(signal, () => {
  stopping ??= Promise.allSettled([browser?.close(), server.kill('SIGTERM')]).then(() => process.exit(130));
});
let browser = null;
const server = demoServer({ port: await freePort(), env: { WS_RATE_LIMIT: '1000000', WS_RATE_WINDOW_MS: '1000', MAX_CONNECTIONS_PER_IP: '1000' } });
stopOnSignal('SIGINT');
stopOnSignal('SIGTERM');
await server.start();
browser = await launchBrowser();
const chromiumVersion = browser.version();
const rows = [];
try {
  // notifications (SSE)
  {
    const context = await browser.newContext();
    await context.addInitScript(PAGE_PROBE);
    const page = await context.newPage();
    page.on('crash', () => console.error(`page crashed: ${page.url()}`));
    await page.goto(`${server.url}/notifications`);
    await waitForState(page, 'notifications', 'open');
    await page.evaluate(() => window.__benchProbe.watch('.notification-list'));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const publisher = httpPublisher(server.url, 'notifications', PUBLISHERS);
    for (const rate of RATES) rows.push({ view: 'notification list', ...(await measure(page, cdp, rate, rate * SECONDS, publisher)) });
    publisher.close();
    await context.close();
  }
  // notifications (SSE), 1,000,000 events: HTTP publishing on two shared cores reaches only a few
  // hundred to a few thousand events/s, so a fresh page's stream is pointed at a chat room's topic
  // (same SSE route of the same server; only the topic differs) and fed by chat sends
  {
    const context = await browser.newContext();
    await context.addInitScript(PAGE_PROBE);
    await context.route(/\/api\/events\/notifications/, (route) =>
      route.continue({ url: route.request().url().replace('/api/events/notifications', `/api/events/chat:${HEAP_ROOM}`) }),
    );
    const page = await context.newPage();
    page.on('crash', () => console.error(`page crashed: ${page.url()}`));
    await page.goto(`${server.url}/notifications`);
    await waitForState(page, 'notifications', 'open');
    const cdp = await context.newCDPSession(page);
    const publishers = await chatPublishers(server.url, HEAP_ROOM);
    await publishers.send(0);
    await page.waitForFunction(() => document.querySelector('.notification-list')?.textContent?.includes('burst 0'), null, { timeout: 30_000 });
    rows.push({ view: 'notification list', heap: await heapAfter('notification list', cdp, HEAP_EVENTS, publishers) });
    publishers.close();
    await context.close();
  }
  // chat room (WebSocket)
  {
    const context = await browser.newContext();
    await context.addInitScript(PAGE_PROBE);
    const page = await context.newPage();
    page.on('crash', () => console.error(`page crashed: ${page.url()}`));
    await page.goto(`${server.url}/chat`);
    await joinChat(page, 'reader');
    await page.evaluate(() => window.__benchProbe.watch('rt-chat-room[data-room="general"]'));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const publishers = await chatPublishers(server.url, 'general');
    for (const rate of RATES) rows.push({ view: 'chat room', ...(await measure(page, cdp, rate, rate * SECONDS, publishers)) });
    rows.push({ view: 'chat room', heap: await heapAfter('chat room', cdp, HEAP_EVENTS, publishers) });
    publishers.close();
    await context.close();
  }
} finally {
  await browser.close();
  await server.kill('SIGTERM');
}

const f = (v, d = 1) => v.toFixed(d);
console.log(
  `\n${startedAt.toISOString()} to ${new Date().toISOString()}, nproc ${os.availableParallelism()}, node ${process.version}, ` +
    `Chromium ${chromiumVersion}, ${SECONDS} s per rate, ${PUBLISHERS} publishers, load average ${loadAtStart} at start, ${loadAverage()} at end`,
);
console.log('| view | asked rate (ev/s) | achieved (ev/s) | main thread busy per 1,000 events (ms) | renders/s | frames/s | long tasks (total ms) |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows.filter((row) => !row.heap)) {
  console.log(`| ${r.view} | ${r.rate} | ${r.achievedRate} | ${f(r.busyMsPer1000)} | ${f(r.rendersPerSecond)} | ${f(r.framesPerSecond)} | ${r.longTasks} (${f(r.longTaskMs, 0)}) |`);
}
console.log('\n| view | asked rate (ev/s) | list writes | events per list write | list writes per frame with one (max) | signal writes per such frame, all signals | max writes to one signal in a frame | DOM passes per render (max per frame) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows.filter((row) => !row.heap)) {
  console.log(
    `| ${r.view} | ${r.rate} | ${r.listWrites} | ${f(r.eventsPerListWrite)} | ${f(r.listWritesPerWriteFrame, 2)} (${r.maxListWritesPerFrame}) | ` +
      `${f(r.signalWritesPerWriteFrame, 2)} | ${r.maxWritesToOneSignalPerFrame} | ${f(r.domPassesPerRender, 2)} (${r.maxDomPassesPerFrame}) |`,
  );
}
console.log('\nSignals written most (writes: what the signal holds):');
for (const r of rows.filter((row) => !row.heap)) {
  console.log(`- ${r.view} at ${r.rate} ev/s: ${r.topWriters.map((w) => `${w.writes}: ${w.holds}`).join('; ')}`);
}
console.log('\n| view | events received | published at (ev/s) | JS heap after GC: before → along the way → after (MiB) |');
console.log('|---|---:|---:|---|');
for (const r of rows.filter((row) => row.heap)) {
  const along = r.heap.samples.map((s) => `${f(s.mib)} (${s.events / 1000}k)`).join(' → ');
  console.log(`| ${r.view} | ${r.heap.events} | ${r.heap.achievedRate} | ${f(r.heap.heapBeforeMiB)} → ${along ? `${along} → ` : ''}${f(r.heap.heapAfterMiB)} |`);
}
if (args.includes('--json')) console.log(JSON.stringify(rows, null, 2));
