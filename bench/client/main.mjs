// `npm run bench:client [-- --quick]`: the demo app in Chromium under bursts. The notification list
// (SSE) and a chat room (WebSocket) each receive 1,000 and 10,000 events/s for 10 s (--quick: 3 s),
// published by 8 concurrent publishers as a backend would. Reported per run: the rate the server
// really delivered, main-thread busy time per 1,000 events (CDP TaskDuration), renders per second
// (animation frames in which the list's DOM changed), long tasks (PerformanceObserver), and the
// JS heap after a full GC once the page has received --heap-events (default 1,000,000; --quick 20,000).
import http from 'node:http';
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
const PUBLISHERS = 8;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Instrumentation in the page: long tasks, and frames in which the watched element's subtree changed. */
const PAGE_PROBE = () => {
  const probe = { longTasks: 0, longTaskMs: 0, frames: 0, renders: 0, dirty: false, observer: null };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      probe.longTasks++;
      probe.longTaskMs += entry.duration;
    }
  }).observe({ type: 'longtask', buffered: false });
  probe.watch = (selector) => {
    probe.observer?.disconnect();
    const target = document.querySelector(selector);
    probe.observer = new MutationObserver(() => (probe.dirty = true));
    probe.observer.observe(target, { childList: true, subtree: true, characterData: true });
  };
  const frame = () => {
    probe.frames++;
    if (probe.dirty) probe.renders++;
    probe.dirty = false;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  window.__benchProbe = probe;
};

/** Sends `total` events at `rate` per second through `send(i)` from PUBLISHERS concurrent loops; resolves with the achieved rate. */
async function drive(rate, total, send) {
  const start = performance.now();
  let next = 0;
  const loop = async () => {
    while (next < total) {
      const i = next++;
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      await send(i);
    }
  };
  await Promise.all(Array.from({ length: PUBLISHERS }, loop));
  return total / ((performance.now() - start) / 1000);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: PUBLISHERS });
function publishHttp(url, topic, i) {
  const body = JSON.stringify({ type: 'notification', data: { title: `Burst ${i}`, text: `event ${i}` } });
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/topics/${topic}/events`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`publish answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function chatPublishers(url, room) {
  const members = await Promise.all(
    Array.from({ length: PUBLISHERS }, (_, k) => new Promise((resolve, reject) => {
      const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/chat?name=burst${k}`, { perMessageDeflate: false });
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data));
        if (frame.type === 'welcome') socket.send(JSON.stringify({ type: 'join', room }));
        if (frame.type === 'joined') resolve(socket);
      });
      socket.on('error', reject);
    })),
  );
  let n = 0;
  return {
    // WebSocket sends are not acknowledged here; pace by the socket's buffer so the generator does not run ahead
    send: async (i) => {
      const socket = members[i % PUBLISHERS];
      while (socket.bufferedAmount > 1 << 20) await sleep(5);
      socket.send(JSON.stringify({ type: 'send', room, clientId: `b${++n}`, text: `burst ${i}` }));
    },
    close: () => members.forEach((s) => s.close()),
  };
}

async function measure(page, cdp, rate, total, send) {
  const metric = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const probeBefore = await page.evaluate(() => ({ ...window.__benchProbe, observer: null, watch: null }));
  const before = await metric();
  const t0 = performance.now();
  const achieved = await drive(rate, total, send);
  await sleep(500); // the last events reach the page
  const seconds = (performance.now() - t0) / 1000;
  const after = await metric();
  const probeAfter = await page.evaluate(() => ({ ...window.__benchProbe, observer: null, watch: null }));
  const busyMs = (after.TaskDuration - before.TaskDuration) * 1000;
  return {
    rate,
    achievedRate: Math.round(achieved),
    events: total,
    busyMsPer1000: (busyMs / total) * 1000,
    rendersPerSecond: (probeAfter.renders - probeBefore.renders) / seconds,
    framesPerSecond: (probeAfter.frames - probeBefore.frames) / seconds,
    longTasks: probeAfter.longTasks - probeBefore.longTasks,
    longTaskMs: probeAfter.longTaskMs - probeBefore.longTaskMs,
  };
}

async function heapAfter(cdp, events, send) {
  await cdp.send('HeapProfiler.collectGarbage');
  const used = async () => (await cdp.send('Runtime.getHeapUsage')).usedSize;
  const start = await used();
  await drive(Infinity, events, send);
  await sleep(1000);
  await cdp.send('HeapProfiler.collectGarbage');
  return { events, heapBeforeMiB: start / 2 ** 20, heapAfterMiB: (await used()) / 2 ** 20 };
}

const server = demoServer({ port: await freePort(), env: { WS_RATE_LIMIT: '1000000', WS_RATE_WINDOW_MS: '1000', MAX_CONNECTIONS_PER_IP: '1000' } });
await server.start();
const browser = await launchBrowser();
const rows = [];
try {
  // notifications (SSE)
  {
    const context = await browser.newContext();
    await context.addInitScript(PAGE_PROBE);
    const page = await context.newPage();
    await page.goto(`${server.url}/notifications`);
    await waitForState(page, 'notifications', 'open');
    await page.evaluate(() => window.__benchProbe.watch('.notification-list'));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const send = (i) => publishHttp(server.url, 'notifications', i);
    for (const rate of RATES) rows.push({ view: 'notification list', ...(await measure(page, cdp, rate, rate * SECONDS, send)) });
    rows.push({ view: 'notification list', heap: await heapAfter(cdp, HEAP_EVENTS, send) });
    await context.close();
  }
  // chat room (WebSocket)
  {
    const context = await browser.newContext();
    await context.addInitScript(PAGE_PROBE);
    const page = await context.newPage();
    await page.goto(`${server.url}/chat`);
    await joinChat(page, 'reader');
    await page.evaluate(() => window.__benchProbe.watch('rt-chat-room[data-room="general"]'));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const publishers = await chatPublishers(server.url, 'general');
    for (const rate of RATES) rows.push({ view: 'chat room', ...(await measure(page, cdp, rate, rate * SECONDS, publishers.send)) });
    rows.push({ view: 'chat room', heap: await heapAfter(cdp, HEAP_EVENTS, publishers.send) });
    publishers.close();
    await context.close();
  }
} finally {
  await browser.close();
  await server.kill('SIGTERM');
  agent.destroy();
}

const f = (v, d = 1) => v.toFixed(d);
console.log(`\n${new Date().toISOString()}, node ${process.version}, ${SECONDS} s per rate, ${PUBLISHERS} publishers`);
console.log('| view | asked rate (ev/s) | achieved (ev/s) | main thread busy per 1,000 events (ms) | renders/s | frames/s | long tasks (total ms) |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows.filter((row) => !row.heap)) {
  console.log(`| ${r.view} | ${r.rate} | ${r.achievedRate} | ${f(r.busyMsPer1000)} | ${f(r.rendersPerSecond)} | ${f(r.framesPerSecond)} | ${r.longTasks} (${f(r.longTaskMs, 0)}) |`);
}
console.log('\n| view | events received | JS heap after GC before → after (MiB) |');
console.log('|---|---:|---|');
for (const r of rows.filter((row) => row.heap)) {
  console.log(`| ${r.view} | ${r.heap.events} | ${f(r.heap.heapBeforeMiB)} → ${f(r.heap.heapAfterMiB)} |`);
}
if (args.includes('--json')) console.log(JSON.stringify(rows, null, 2));
