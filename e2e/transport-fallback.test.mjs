import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoAndBrowser } from './support/fixture.mjs';
import { WAIT_MS, joinChat, openPage, sendChat, waitForText, withScreenshots } from './support/page.mjs';
import { upgradeRefusingProxy } from './support/upgrade-refusing-proxy.mjs';

const MESSAGE = 'rt-chat-room[data-room="general"] .rt-text';
const CHAT_TRANSPORT = 'rt-connection-status[data-connection="chat"] .rt-transport';

describe('chat through a proxy that refuses WebSocket upgrades', { timeout: 180_000 }, () => {
  const fixture = demoAndBrowser();
  const pages = [];

  it('falls back to chat over SSE + POST, talks with a WebSocket user, and the status strip says so', () =>
    withScreenshots('chat-fallback', () => pages, async () => {
      const proxy = await upgradeRefusingProxy(fixture.server.url);
      try {
        // Tab sharing relays through one leader's plain transports and does not race them yet
        // (README, "Transport fallback"), so this page runs with its own connections.
        const ann = await openPage(await fixture.browser.newContext(), proxy.url, '/chat?tabs=off');
        const bob = await openPage(await fixture.browser.newContext(), fixture.server.url, '/chat');
        pages.push(ann, bob);
        await joinChat(ann, 'ann');
        await joinChat(bob, 'bob');
        await waitForText(ann, CHAT_TRANSPORT, 'via SSE');
        await waitForText(bob, CHAT_TRANSPORT, 'via WebSocket');
        assert.ok(proxy.refused >= 1, 'the proxy refused at least one upgrade');

        await sendChat(ann, 'hello from behind the proxy');
        await waitForText(bob, MESSAGE, 'hello from behind the proxy');
        await sendChat(bob, 'hello back');
        await waitForText(ann, MESSAGE, 'hello back');
        const texts = await ann.$$eval(MESSAGE, (items) => items.map((item) => item.textContent.trim()));
        assert.deepEqual(texts.filter((text) => text.startsWith('hello')), ['hello from behind the proxy', 'hello back']);
      } finally {
        await proxy.close();
      }
    }));
});
