import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchBrowser } from './support/browser.mjs';
import { demoServer, freePort, publish } from './support/server.mjs';
import { ARTIFACTS, WAIT_MS, countText, joinChat, listedIds, sendChat, waitForIds, waitForState, withScreenshots } from './support/page.mjs';

/*
 * Five tabs of the demo in one browser context, with tab sharing on (the demo's
 * default) and off (?tabs=off): the server sees one connection of each kind, or
 * five; and either way every tab shows every event once and in order while tabs
 * close, crash and open, a tab is frozen for a while, and one comes back from
 * the back/forward cache.
 */

const TABS = 5;
const EVENTS = 500;
const ORDER_EVERY = 5;
const NOTIFICATIONS = '.notification-list [data-event-id]';
const ORDERS = '.order-feed [data-event-id]';
const CHAT_TEXT = 'rt-chat-room[data-room="general"] .rt-text';
const CHAT_NAME = 'ada';

/** Records when each notification id first showed up in the page (Date.now()), and bfcache restores. */
async function recordArrivals(context) {
  await context.addInitScript(() => {
    window.__arrivals = {};
    window.__restored = 0;
    window.addEventListener('pageshow', (event) => {
      if (event.persisted) window.__restored += 1;
    });
    const seen = (element) => {
      const id = element.getAttribute && element.getAttribute('data-event-id');
      if (id && element.closest('.notification-list') && !(id in window.__arrivals)) window.__arrivals[id] = Date.now();
    };
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node.nodeType !== 1) continue;
          seen(node);
          node.querySelectorAll('[data-event-id]').forEach(seen);
        }
      }
    }).observe(document, { subtree: true, childList: true });
  });
}

async function health(baseUrl) {
  return (await (await fetch(`${baseUrl}/api/health`)).json()).connections;
}

/** Waits until /api/health reports `want` connections of each kind; returns what it saw last. */
async function waitForConnections(baseUrl, want, timeout = WAIT_MS) {
  const end = Date.now() + timeout;
  let seen;
  for (;;) {
    seen = await health(baseUrl);
    if (seen.sse === want && seen.longPoll === want && seen.websocket === want) return seen;
    if (Date.now() > end) return seen;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function sharingOf(page) {
  return page.getAttribute('.sharing', 'data-sharing');
}

async function goTo(page, route) {
  await page.click(`nav a[href="${route}"]`);
  await page.waitForURL((url) => url.pathname === route, { timeout: WAIT_MS });
}

/** Opens a tab of the demo, signs in to the chat as the same user as every other tab, then shows notifications. */
async function openTab(context, baseUrl, query) {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/chat${query}`);
  await joinChat(page, CHAT_NAME);
  await goTo(page, '/notifications');
  for (const name of ['notifications', 'orders', 'chat']) await waitForState(page, name, 'open');
  return page;
}

/** Ids listed under `selector`, oldest first (the feeds show the newest on top). */
async function oldestFirst(page, selector) {
  return (await listedIds(page, selector)).reverse();
}

/** The list shows exactly `ids`, in this order, each once. */
async function assertListedInOrder(page, selector, ids, what) {
  await waitForIds(page, selector, ids);
  const listed = await oldestFirst(page, selector);
  assert.equal(new Set(listed).size, listed.length, `${what}: an event is shown twice`);
  assert.deepEqual(listed, ids, `${what}: the list differs from what was published`);
}

/** Publishes `EVENTS` notifications (and every `ORDER_EVERY`th an order too), at a steady pace, recording when each was stored. */
function startPublishing(baseUrl, label) {
  const run = { notifications: [], orders: [], publishedAt: [], done: null, count: 0 };
  const waiters = [];
  run.reached = (n) => new Promise((resolve) => (run.count >= n ? resolve() : waiters.push({ n, resolve })));
  run.done = (async () => {
    for (let i = 1; i <= EVENTS; i += 1) {
      run.notifications.push(await publish(baseUrl, 'notifications', 'notification', { title: label, text: `${label} ${i}` }));
      run.publishedAt.push(Date.now());
      if (i % ORDER_EVERY === 0) {
        run.orders.push(await publish(baseUrl, 'orders', 'order.placed', { orderId: `${label}-${i}`, step: 'placed', stepIndex: 0, steps: 5 }));
      }
      run.count = i;
      for (const waiter of waiters.filter((w) => w.n <= i)) waiter.resolve();
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  })();
  return run;
}

/**
 * The longest time any of `pages` took to show a notification published within
 * `windowMs` after `from`: how long the tabs went without news across a hand-over.
 */
async function worstDelay(pages, run, from, windowMs = 3000) {
  let worst = 0;
  for (const page of pages) {
    const arrivals = await page.evaluate(() => window.__arrivals);
    run.notifications.forEach((id, index) => {
      const at = run.publishedAt[index];
      if (at < from || at > from + windowMs || !(id in arrivals)) return;
      worst = Math.max(worst, arrivals[id] - at);
    });
  }
  return worst;
}

async function waitForLeader(pages, timeout = WAIT_MS) {
  const end = Date.now() + timeout;
  for (;;) {
    for (const page of pages) if ((await sharingOf(page)) === 'leader') return page;
    if (Date.now() > end) throw new Error('no tab took the lead');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// E2E_TAB_SHARING=on (or off) runs one of the two suites
for (const sharing of (process.env.E2E_TAB_SHARING ?? 'on,off').split(',')) {
  const query = sharing === 'on' ? '' : '?tabs=off';
  let tabsOpened = 0;
  /*
   * Over HTTP/1.1 Chromium holds at most 6 connections per host for the whole
   * browser context: five tabs of one origin without sharing cannot hold five SSE
   * streams and five long polls at once (the problem sharing solves). So without
   * sharing each tab gets a host name of its own (tabN.localhost is loopback in
   * Chromium) and with it a connection pool of its own.
   */
  const tabUrl = (server) => {
    tabsOpened += 1;
    return sharing === 'on' ? server.url : server.url.replace('127.0.0.1', `tab${tabsOpened}.localhost`);
  };

  describe(`${TABS} tabs of one browser, tab sharing ${sharing}`, { timeout: 600_000 }, () => {
    let server;
    let browser;
    let context;
    let pages = [];
    const figures = { sharing, handOvers: [] };

    before(async () => {
      const port = await freePort();
      const origins = Array.from({ length: TABS + 1 }, (_, i) => `http://tab${i + 1}.localhost:${port}`).join(',');
      server = demoServer({ port, env: sharing === 'on' ? {} : { ALLOWED_ORIGINS: origins } });
      await server.start();
      // playwright-core turns the back/forward cache off by default; one test needs it
      browser = await launchBrowser({ ignoreDefaultArgs: ['--disable-back-forward-cache'] });
      context = await browser.newContext();
      await recordArrivals(context);
    });

    after(async () => {
      await mkdir(ARTIFACTS, { recursive: true });
      await writeFile(path.join(ARTIFACTS, `tab-sharing-${sharing}.json`), `${JSON.stringify(figures, null, 2)}\n`);
      await browser?.close();
      await server?.kill('SIGTERM');
    });

    it(sharing === 'on' ? 'holds one connection of each kind for all five tabs' : 'holds five connections of each kind', () =>
      withScreenshots(`tab-sharing-${sharing}-connections`, () => pages, async () => {
        for (let i = 0; i < TABS; i += 1) pages.push(await openTab(context, tabUrl(server), query));
        const want = sharing === 'on' ? 1 : TABS;
        const connections = await waitForConnections(server.url, want);
        figures.connectionsWithFiveTabs = connections;
        assert.deepEqual(connections, { sse: want, longPoll: want, websocket: want });
        const roles = await Promise.all(pages.map(sharingOf));
        if (sharing === 'on') {
          assert.deepEqual([...roles].sort(), ['follower', 'follower', 'follower', 'follower', 'leader']);
        } else {
          assert.deepEqual(roles, ['off', 'off', 'off', 'off', 'off']);
        }
      }));

    it('shows every event once and in order in every tab while tabs close, crash and open', () =>
      withScreenshots(`tab-sharing-${sharing}-storm`, () => pages, async () => {
        assert.equal(pages.length, TABS, 'the first test opened the tabs');
        const run = startPublishing(server.url, `storm-${sharing}`);
        const typed = [];

        // the tab to take away: the leader when sharing, else the first tab
        const victim = async () => (sharing === 'on' ? waitForLeader(pages) : pages[0]);
        const takeAway = async (how, act) => {
          const page = await victim();
          pages = pages.filter((p) => p !== page);
          const at = Date.now();
          await act(page);
          const record = { how, leader: sharing === 'on', atEvent: run.count };
          if (sharing === 'on') {
            await waitForLeader(pages);
            record.newLeaderAfterMs = Date.now() - at;
          }
          // a message typed in a remaining tab while the connections move
          const typist = pages[pages.length - 1];
          const text = `typed after ${how} (${sharing})`;
          await goTo(typist, '/chat');
          await sendChat(typist, text);
          typed.push(text);
          await goTo(typist, '/notifications');
          // the typist left the list for a moment: it would count that as delay
          figures.handOvers.push({ ...record, at, pages: pages.filter((p) => p !== typist) });
        };

        await run.reached(60);
        await takeAway('closed', (page) => page.close({ runBeforeUnload: true }));
        await run.reached(160);
        await takeAway('closed without unload handlers', (page) => page.close({ runBeforeUnload: false }));
        await run.reached(260);
        await takeAway('renderer killed through CDP', async (page) => {
          const crashed = new Promise((resolve) => page.once('crash', resolve));
          const cdp = await context.newCDPSession(page);
          cdp.send('Page.crash').catch(() => undefined); // never answers: the renderer is gone
          await crashed;
          await page.close().catch(() => undefined);
        });
        await run.reached(340);
        const newcomer = await openTab(context, tabUrl(server), query);
        const newcomerFrom = run.count;
        const original = pages;
        pages = [...pages, newcomer];
        await run.done;

        // every tab that was there from the start shows everything, in order, once
        for (const page of original) {
          await assertListedInOrder(page, NOTIFICATIONS, run.notifications, `notifications in ${page.url()}`);
        }
        // the new tab started "from now": it shows what came after it opened, in order, once
        await waitForIds(newcomer, NOTIFICATIONS, run.notifications.slice(newcomerFrom));
        const late = await oldestFirst(newcomer, NOTIFICATIONS);
        assert.equal(new Set(late).size, late.length, 'the new tab shows an event twice');
        const first = run.notifications.indexOf(late[0]);
        assert.ok(first >= 0 && first <= newcomerFrom, 'the new tab starts where it opened');
        assert.deepEqual(late, run.notifications.slice(first), 'the new tab skips or reorders events');

        for (const page of pages) {
          await goTo(page, '/orders');
          const orders = await oldestFirst(page, ORDERS);
          if (page === newcomer) {
            const from = run.orders.indexOf(orders[0]);
            assert.deepEqual(orders, run.orders.slice(from), 'orders in the new tab');
          } else {
            await assertListedInOrder(page, ORDERS, run.orders, `orders in ${page.url()}`);
          }
          await goTo(page, '/chat');
          for (const text of typed) {
            await page.waitForFunction(
              ([selector, wanted]) => Array.from(document.querySelectorAll(selector)).some((e) => e.textContent.trim() === wanted),
              [CHAT_TEXT, text],
              { timeout: WAIT_MS },
            );
            assert.equal(await countText(page, CHAT_TEXT, text), 1, `"${text}" shown once in ${page.url()}`);
          }
          await page.waitForSelector('rt-chat-room .rt-message[data-status="pending"]', { state: 'detached', timeout: WAIT_MS });
          await goTo(page, '/notifications');
        }

        for (const handOver of figures.handOvers) {
          handOver.worstEventDelayMs = await worstDelay(handOver.pages.filter((p) => pages.includes(p)), run, handOver.at);
          delete handOver.pages;
        }
        figures.steadyEventDelayMs = await worstDelay(pages, run, run.publishedAt[run.publishedAt.length - 60], 600);
        const want = sharing === 'on' ? 1 : pages.length;
        figures.connectionsAfterStorm = await waitForConnections(server.url, want);
        assert.deepEqual(figures.connectionsAfterStorm, { sse: want, longPoll: want, websocket: want });
      }));

    it('lets a frozen tab catch up when it wakes', () =>
      withScreenshots(`tab-sharing-${sharing}-frozen`, () => pages, async () => {
        const page = sharing === 'on' ? (await Promise.all(pages.map(async (p) => [p, await sharingOf(p)]))).find(([, r]) => r === 'follower')[0] : pages[0];
        const known = await oldestFirst(page, NOTIFICATIONS);
        const cdp = await context.newCDPSession(page);
        await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
        const missed = [];
        for (let i = 1; i <= 40; i += 1) missed.push(await publish(server.url, 'notifications', 'notification', { title: 'frozen', text: `while frozen ${i}` }));
        await new Promise((resolve) => setTimeout(resolve, 2000));
        await cdp.send('Page.setWebLifecycleState', { state: 'active' });
        const after = await publish(server.url, 'notifications', 'notification', { title: 'frozen', text: 'after waking' });
        await assertListedInOrder(page, NOTIFICATIONS, [...known, ...missed, after], 'notifications after waking');
        await cdp.detach();
      }));

    it('lets a tab restored from the back/forward cache catch up', () =>
      withScreenshots(`tab-sharing-${sharing}-bfcache`, () => pages, async () => {
        const page = pages[pages.length - 1];
        const known = await oldestFirst(page, NOTIFICATIONS);
        const origin = new URL(page.url()).origin;
        await page.goto(`${origin}/api/health`);
        const missed = [];
        for (let i = 1; i <= 40; i += 1) missed.push(await publish(server.url, 'notifications', 'notification', { title: 'away', text: `while away ${i}` }));
        await page.goBack({ waitUntil: 'commit' });
        await page.waitForFunction(() => window.__restored === 1, undefined, { timeout: WAIT_MS });
        const after = await publish(server.url, 'notifications', 'notification', { title: 'away', text: 'after coming back' });
        await assertListedInOrder(page, NOTIFICATIONS, [...known, ...missed, after], 'notifications after the back/forward cache');
        const want = sharing === 'on' ? 1 : pages.length;
        assert.deepEqual(await waitForConnections(server.url, want), { sse: want, longPoll: want, websocket: want });
      }));
  });
}
