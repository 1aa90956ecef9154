// The demo through HAProxy in front of three Redis-backed instances: every page stays correct
// while the instance holding the most connections is killed with SIGKILL and started again.
// Needs a Redis at REDIS_TEST_URL (default redis://127.0.0.1:6379; this run's keys get a prefix of
// their own and are removed after) and haproxy. Without either the suite is skipped with the
// reason, except under CI=true, where it fails.
// Then HAProxy's configuration itself, with a redis-server of the test's own: an instance whose
// Redis is down stays in the pool, and per-IP limits see the client addresses HAProxy forwards.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { launchBrowser } from './support/browser.mjs';
import { publish } from './support/server.mjs';
import {
  WAIT_MS, joinChat, listedIds, openPage, recordConnectionStates, sendChat, stateHistory, waitForIds,
  waitForState, waitForText, withScreenshots,
} from './support/page.mjs';
import { demoInstance, findBinary, freePort, getJson, redisPing, redisServer, startHaproxy, sleep, waitUntil } from '../ops/support/processes.mjs';

const NOTIFICATIONS = '.notification-list [data-event-id]';
const ORDERS = '.order-feed [data-event-id]';
const CHAT_TEXT = 'rt-chat-room[data-room="general"] .rt-text';
const REDIS_URL = process.env.REDIS_TEST_URL || 'redis://127.0.0.1:6379';
const KEY_PREFIX = `rts-test:${randomBytes(6).toString('hex')}:`;

const missing = [
  ...(findBinary('haproxy') ? [] : ['haproxy is not installed (apt-get install -y haproxy)']),
  ...(findBinary('redis-server') ? [] : ['redis-server is not installed (apt-get install -y redis-server)']),
  ...((await redisPing(REDIS_URL)) ? [] : [`no Redis answers at ${REDIS_URL} (start redis-server, or set REDIS_TEST_URL)`]),
];
const reason = missing.length ? missing.join('; ') : null;
const skip = reason !== null && process.env.CI !== 'true';
if (skip) console.log(`# cluster e2e skipped: ${reason}`);

/** Removes this run's keys from the shared Redis. */
async function deleteKeys() {
  const { createClient } = await import('redis');
  const client = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  const keys = [];
  for await (const batch of client.scanIterator({ MATCH: `${KEY_PREFIX}*`, COUNT: 1000 })) keys.push(...batch);
  if (keys.length > 0) await client.del(keys);
  await client.quit();
}

async function publishMany(baseUrl, label, count) {
  const notifications = [];
  const orders = [];
  for (let i = 1; i <= count; i += 1) {
    notifications.push(await publish(baseUrl, 'notifications', 'notification', { title: label, text: `${label} ${i}` }));
    orders.push(await publish(baseUrl, 'orders', 'order.placed', { orderId: `${label}-${i}`, step: 'placed', stepIndex: 0, steps: 5 }));
  }
  return { notifications, orders };
}

async function assertListsOnce(page, selector, ids, what) {
  await waitForIds(page, selector, ids);
  const listed = await listedIds(page, selector);
  assert.equal(new Set(listed).size, listed.length, `${what}: an event is shown twice: ${listed.join(', ')}`);
  assert.deepEqual([...listed].sort(), [...ids].sort(), `${what}: listed events differ from the published ones`);
}

/** Open connections per instance, from each one's /api/health. */
async function connectionsPerInstance(instances) {
  const answers = await Promise.all(instances.map((instance) => getJson(`${instance.url}/api/health`)));
  return answers.map((answer) => {
    const c = answer?.body?.connections ?? {};
    return (c.sse ?? 0) + (c.longPoll ?? 0) + (c.websocket ?? 0);
  });
}

describe('the demo behind HAProxy with three Redis-backed instances', { timeout: 300_000, skip: skip ? reason : false }, () => {
  const instances = [];
  let haproxy;
  let browser;
  let pages = [];

  before(async () => {
    if (reason) throw new Error(`CI=true and ${reason}`);
    // The demo's topics have fixed names: the key prefix keeps this run apart from any other on the same Redis.
    for (let i = 1; i <= 3; i += 1) {
      instances.push(demoInstance({ name: `rt${i}`, port: await freePort(), env: { REDIS_URL, REDIS_KEY_PREFIX: KEY_PREFIX } }));
    }
    await Promise.all(instances.map((instance) => instance.start()));
    haproxy = await startHaproxy({ port: await freePort(), backends: instances, checkIntervalMs: 500 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await haproxy?.stop();
    await Promise.all(instances.map((instance) => instance.kill('SIGTERM')));
    if (!skip && !reason) await deleteKeys();
  });

  it('keeps every page correct while one instance is killed and restarted', () =>
    withScreenshots('cluster-instance-killed', () => pages, async () => {
      const baseUrl = haproxy.url;
      const context = await browser.newContext();
      await recordConnectionStates(context);
      const notifications = await openPage(context, baseUrl, '/notifications');
      const orders = await openPage(context, baseUrl, '/orders');
      const chat = await openPage(context, baseUrl, '/chat');
      pages = [notifications, orders, chat];
      await joinChat(chat, 'erin');
      const views = [
        { page: notifications, connections: ['notifications', 'orders'] },
        { page: orders, connections: ['notifications', 'orders'] },
        { page: chat, connections: ['notifications', 'orders', 'chat'] },
      ];
      const everyConnection = (action) =>
        Promise.all(views.flatMap(({ page, connections }) => connections.map((name) => action(page, name))));
      await everyConnection((page, name) => waitForState(page, name, 'open'));

      // Round-robin spreads the pages' connections; publishes land on every instance too.
      const before = await publishMany(baseUrl, 'before', 3);
      await sendChat(chat, 'said before the kill');
      await waitForIds(notifications, NOTIFICATIONS, before.notifications);
      await waitForIds(orders, ORDERS, before.orders);
      await chat.waitForSelector('rt-chat-room .rt-message.rt-mine[data-status="sent"]', { timeout: WAIT_MS });

      const counts = await connectionsPerInstance(instances);
      const victim = instances[counts.indexOf(Math.max(...counts))];
      assert.ok(Math.max(...counts) > 0, `no instance holds a connection: ${counts.join(', ')}`);
      await victim.kill('SIGKILL');
      // Published and said while it is down: through HAProxy, so they land on the survivors.
      const during = await publishMany(baseUrl, 'during', 3);
      await sendChat(chat, 'said while an instance was down');
      await sleep(1000);
      await victim.start();
      const afterRestart = await publishMany(baseUrl, 'after', 3);
      await sendChat(chat, 'said after the restart');

      await everyConnection((page, name) => waitForState(page, name, 'open'));
      // The shared log kept every event: no gap, every event once, on every page.
      const all = (key) => [...before[key], ...during[key], ...afterRestart[key]];
      await assertListsOnce(notifications, NOTIFICATIONS, all('notifications'), 'notifications');
      await assertListsOnce(orders, ORDERS, all('orders'), 'orders');
      assert.equal(await notifications.$('.gap[role="alert"]'), null, 'a gap was shown though Redis kept the history');
      for (const text of ['said before the kill', 'said while an instance was down', 'said after the restart']) {
        assert.equal(await waitForText(chat, CHAT_TEXT, text), 1, `"${text}" shown once`);
      }
      await chat.waitForSelector('rt-chat-room .rt-message[data-status="pending"]', { state: 'detached', timeout: WAIT_MS });

      // The connections the killed instance held went reconnecting -> open through the survivors.
      let moved = 0;
      for (const { page, connections } of views) {
        for (const name of connections) {
          const history = await stateHistory(page, name);
          const reconnecting = history.indexOf('reconnecting');
          if (reconnecting >= 0) {
            assert.ok(history.indexOf('open', reconnecting) > reconnecting, `${name} on ${page.url()} went ${history.join(' -> ')}`);
            moved += 1;
          }
        }
      }
      assert.ok(moved > 0, `no connection noticed that ${victim.name} was killed`);
      await context.close();
      pages = [];
    }));
});

/** Opens an SSE stream through `baseUrl` from the local address `from` (any 127.x.y.z on Linux); resolves with it once answered. */
function sseFrom(baseUrl, from, headers = {}) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: hostname, port, localAddress: from, path: '/api/events/limits', headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

describe('HAProxy in front of an instance, with a Redis of the test\'s own', { timeout: 120_000, skip: skip ? reason : false }, () => {
  let redis;
  let instance;
  let haproxy;
  const streams = [];

  before(async () => {
    if (reason) throw new Error(`CI=true and ${reason}`);
    redis = redisServer({ port: await freePort() });
    await redis.start();
    // One slot per client address; HAProxy names the client in X-Forwarded-For and the instance trusts that one hop.
    instance = demoInstance({
      name: 'rt1',
      port: await freePort(),
      env: { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '1000', MAX_CONNECTIONS_PER_IP: '1', TRUST_PROXY: '1' },
    });
    await instance.start();
    haproxy = await startHaproxy({ port: await freePort(), backends: [instance], checkIntervalMs: 200 });
  });
  after(async () => {
    for (const stream of streams) stream.close();
    await haproxy?.stop();
    await instance?.kill('SIGTERM');
    await redis?.stop('SIGTERM');
  });

  it('keeps the instance in the pool while Redis is down, so publishers get its JSON 503, not the balancer\'s page', async () => {
    assert.equal((await publishStatus(haproxy.url)).status, 201);
    await redis.stop('SIGKILL');
    await waitUntil(async () => (await getJson(`${instance.url}/api/health`))?.status === 503, 'the instance to report degraded', 20_000, 50);
    // Ten checks 200 ms apart: HAProxy takes a server out after two failed ones (fall 2).
    await sleep(2000);
    const refused = await publishStatus(haproxy.url);
    assert.equal(refused.status, 503);
    assert.equal(refused.body?.error?.code, 'log_unavailable', `a publish through HAProxy got ${refused.text.slice(0, 200)}`);
    assert.deepEqual((await getJson(`${haproxy.url}/api/health/ready`))?.body, { status: 'ready', log: 'degraded' });
    await redis.start();
    await waitUntil(async () => (await publishStatus(haproxy.url)).status === 201, 'publishes to succeed again', 20_000, 100);
  });

  it('counts connections per client address that HAProxy forwards, and a spoofed X-Forwarded-For gains no slot', async () => {
    const open = async (from, headers) => {
      const stream = await sseFrom(haproxy.url, from, headers);
      streams.push(stream);
      return stream.status;
    };
    assert.equal(await open('127.0.0.2'), 200);
    assert.equal(await open('127.0.0.3'), 200);
    assert.equal(await open('127.0.0.2'), 429, 'a second stream from one client address');
    assert.equal(await open('127.0.0.3', { 'X-Forwarded-For': '198.51.100.7' }), 429, 'a client naming another address itself');
  });
});

async function publishStatus(baseUrl) {
  const response = await fetch(`${baseUrl}/api/topics/outage/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'tick', data: {} }),
  });
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // HAProxy's own error page is HTML
  }
  return { status: response.status, body, text };
}
