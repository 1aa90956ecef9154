import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoAndBrowser } from './support/fixture.mjs';
import { joinChat, openPage, sendChat, waitForText, withScreenshots } from './support/page.mjs';
import { upgradeRefusingProxy } from './support/upgrade-refusing-proxy.mjs';

const MESSAGE = 'rt-chat-room[data-room="general"] .rt-text';
const CHAT_TRANSPORT = 'rt-connection-status[data-connection="chat"] .rt-transport';

describe('chat through a proxy that refuses WebSocket upgrades', { timeout: 180_000 }, () => {
  const fixture = demoAndBrowser();
  const pages = [];

  it('two tabs sharing one connection fall back to chat over SSE + POST, both status strips say so, and messages flow once and in order', () =>
    withScreenshots('chat-fallback', () => pages, async () => {
      const proxy = await upgradeRefusingProxy(fixture.server.url);
      try {
        // Two tabs of one browser through the proxy, sharing their connections (the demo's default),
        // and a WebSocket user straight to the server.
        const behind = await fixture.browser.newContext();
        const first = await openPage(behind, proxy.url, '/chat');
        await joinChat(first, 'ann');
        const second = await openPage(behind, proxy.url, '/chat');
        await joinChat(second, 'ann');
        const bob = await openPage(await fixture.browser.newContext(), fixture.server.url, '/chat');
        pages.push(first, second, bob);
        await joinChat(bob, 'bob');

        const roles = await Promise.all([first, second].map((page) => page.getAttribute('.sharing', 'data-sharing')));
        assert.deepEqual([...roles].sort(), ['follower', 'leader'], 'one tab leads, the other follows');
        for (const page of [first, second]) await waitForText(page, CHAT_TRANSPORT, 'via SSE');
        await waitForText(bob, CHAT_TRANSPORT, 'via WebSocket');
        assert.ok(proxy.refused >= 1, 'the proxy refused at least one upgrade');

        const texts = ['hello from the first tab', 'hello from the second tab', 'hello back'];
        await sendChat(first, texts[0]);
        for (const page of pages) await waitForText(page, MESSAGE, texts[0]);
        await sendChat(second, texts[1]);
        for (const page of pages) await waitForText(page, MESSAGE, texts[1]);
        await sendChat(bob, texts[2]);
        for (const page of pages) await waitForText(page, MESSAGE, texts[2]);
        for (const page of pages) {
          const shown = await page.$$eval(MESSAGE, (items) => items.map((item) => item.textContent.trim()));
          assert.deepEqual(shown.filter((text) => texts.includes(text)), texts, 'every message once, in the order sent');
        }
      } finally {
        await proxy.close();
      }
    }));
});
