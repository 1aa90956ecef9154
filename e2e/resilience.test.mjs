import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser } from './support/browser.mjs';
import { demoServer, freePort, publish } from './support/server.mjs';
import {
  WAIT_MS, countText, joinChat, listedIds, openPage, recordConnectionStates, sendChat, stateHistory, waitForIds,
  waitForState, waitForText, withScreenshots,
} from './support/page.mjs';

const NOTIFICATIONS = '.notification-list [data-event-id]';
const ORDERS = '.order-feed [data-event-id]';
const CHAT_TEXT = 'rt-chat-room[data-room="general"] .rt-text';

/** Every page of the demo, and the connections each one has running. */
async function openEveryPage(context, baseUrl, chatName) {
  await recordConnectionStates(context);
  const notifications = await openPage(context, baseUrl, '/notifications');
  const orders = await openPage(context, baseUrl, '/orders');
  const chat = await openPage(context, baseUrl, '/chat');
  await joinChat(chat, chatName);
  const views = [
    { page: notifications, connections: ['notifications', 'orders'] },
    { page: orders, connections: ['notifications', 'orders'] },
    { page: chat, connections: ['notifications', 'orders', 'chat'] },
  ];
  await forEachConnection(views, (page, name) => waitForState(page, name, 'open'));
  return { notifications, orders, chat, views };
}

async function forEachConnection(views, action) {
  await Promise.all(views.flatMap(({ page, connections }) => connections.map((name) => action(page, name))));
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

/** The page lists exactly `ids`, each once (other ids are a failure too). */
async function assertListsOnce(page, selector, ids, what) {
  await waitForIds(page, selector, ids);
  const listed = await listedIds(page, selector);
  assert.equal(new Set(listed).size, listed.length, `${what}: an event is shown twice: ${listed.join(', ')}`);
  assert.deepEqual([...listed].sort(), [...ids].sort(), `${what}: listed events differ from the published ones`);
}

describe('connection loss in the demo app', { timeout: 300_000 }, () => {
  let port;
  let server;
  let browser;
  let pages = [];

  before(async () => {
    port = await freePort();
    server = demoServer({ port });
    await server.start();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.kill('SIGTERM');
  });

  it('shows reconnecting then open on every page when the server restarts, and lists every event once', () =>
    withScreenshots('server-restart', () => pages, async () => {
      const context = await browser.newContext();
      const app = await openEveryPage(context, server.url, 'carol');
      pages = [app.notifications, app.orders, app.chat];

      const before = await publishMany(server.url, 'before', 3);
      await sendChat(app.chat, 'said before the restart');
      await waitForIds(app.notifications, NOTIFICATIONS, before.notifications);
      await waitForIds(app.orders, ORDERS, before.orders);
      await app.chat.waitForSelector('rt-chat-room .rt-message.rt-mine[data-status="sent"]', { timeout: WAIT_MS });

      await server.kill();
      await forEachConnection(app.views, (page, name) => waitForState(page, name, 'reconnecting'));
      await sendChat(app.chat, 'said while the server was down');
      await app.chat.waitForSelector('rt-chat-room .rt-message[data-status="pending"]', { timeout: WAIT_MS });

      await server.start();
      // Published by the new process before the pages are back (they are still in backoff): the old cursor
      // is a gap, and the reset resumes from the oldest retained event, so these are not skipped.
      const early = await publishMany(server.url, 'early', 2);
      await forEachConnection(app.views, (page, name) => waitForState(page, name, 'open'));
      const after = await publishMany(server.url, 'after', 3);

      // The new process has a fresh log: the old cursor is a gap, and the page says so instead of hiding it.
      await app.notifications.waitForSelector('.gap[role="alert"]', { timeout: WAIT_MS });
      await assertListsOnce(app.notifications, NOTIFICATIONS,
        [...before.notifications, ...early.notifications, ...after.notifications], 'notifications');
      await assertListsOnce(app.orders, ORDERS, [...before.orders, ...early.orders, ...after.orders], 'orders');
      assert.equal(await waitForText(app.chat, CHAT_TEXT, 'said while the server was down'), 1);
      await app.chat.waitForSelector('rt-chat-room .rt-message[data-status="pending"]', { state: 'detached', timeout: WAIT_MS });
      assert.equal(await countText(app.chat, CHAT_TEXT, 'said before the restart'), 1);

      for (const { page, connections } of app.views) {
        for (const name of connections) {
          const history = await stateHistory(page, name);
          const reconnecting = history.indexOf('reconnecting');
          assert.ok(reconnecting >= 0 && history.indexOf('open', reconnecting) > reconnecting,
            `${name} on ${page.url()} went ${history.join(' -> ')}`);
        }
      }
      await context.close();
      pages = [];
    }));

  it('shows the offline state while the browser is offline and catches up when it is back', () =>
    withScreenshots('browser-offline', () => pages, async () => {
      const context = await browser.newContext();
      const app = await openEveryPage(context, server.url, 'dave');
      pages = [app.notifications, app.orders, app.chat];
      const online = await publishMany(server.url, 'online', 2);
      await waitForIds(app.notifications, NOTIFICATIONS, online.notifications);
      await waitForIds(app.orders, ORDERS, online.orders);

      await context.setOffline(true);
      // Chromium's offline emulation keeps established streams and sockets flowing, so the first connection to
      // notice is the long poll: its next request fails, and it waits for the browser to come back online.
      const whileOffline = await publishMany(server.url, 'offline', 3);
      for (const { page } of app.views) {
        await waitForState(page, 'orders', 'reconnecting');
        const indicator = page.locator('rt-connection-status[data-connection="orders"]');
        // No backoff countdown: it waits for the browser's `online` event instead of spinning.
        assert.match(await indicator.textContent(), /offline, waiting for the network/);
        assert.doesNotMatch(await indicator.textContent(), /retry in/);
      }

      await context.setOffline(false);
      await forEachConnection(app.views, (page, name) => waitForState(page, name, 'open'));

      // Same server, so every transport resumes from its cursor: nothing missed, nothing twice.
      const after = await publishMany(server.url, 'back-online', 2);
      await assertListsOnce(app.notifications, NOTIFICATIONS, [...online.notifications, ...whileOffline.notifications, ...after.notifications], 'notifications');
      await assertListsOnce(app.orders, ORDERS, [...online.orders, ...whileOffline.orders, ...after.orders], 'orders');
      await sendChat(app.chat, 'back online');
      assert.equal(await waitForText(app.chat, CHAT_TEXT, 'back online'), 1);
      await context.close();
      pages = [];
    }));
});
