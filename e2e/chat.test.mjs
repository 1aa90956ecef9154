import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoAndBrowser } from './support/fixture.mjs';
import { WAIT_MS, countText, joinChat, openPage, sendChat, waitForText, withScreenshots } from './support/page.mjs';

const MESSAGE = 'rt-chat-room[data-room="general"] .rt-text';
const MEMBER_COUNT = 'rt-chat-room[data-room="general"] .rt-member-count';

async function waitForMemberCount(page, count) {
  await page.waitForFunction(
    ([selector, wanted]) => document.querySelector(selector)?.textContent.trim() === wanted,
    [MEMBER_COUNT, String(count)],
    { timeout: WAIT_MS },
  );
}

describe('chat over WebSocket between two browsers', { timeout: 180_000 }, () => {
  const fixture = demoAndBrowser();
  const pages = [];


  it('delivers each message once to both people in the room and keeps presence current', () =>
    withScreenshots('chat-two-browsers', () => pages, async () => {
      const annContext = await fixture.browser.newContext();
      const bobContext = await fixture.browser.newContext();
      const ann = await openPage(annContext, fixture.server.url, '/chat');
      const bob = await openPage(bobContext, fixture.server.url, '/chat');
      pages.push(ann, bob);

      await joinChat(ann, 'ann');
      await waitForMemberCount(ann, 1);
      await joinChat(bob, 'bob');
      await waitForMemberCount(ann, 2);
      await waitForMemberCount(bob, 2);
      assert.deepEqual(await bob.$$eval('rt-chat-room .rt-member-list li', (items) => items.map((item) => item.textContent.trim()).sort()), ['ann', 'bob']);

      // Typing shows up on the other side (before bob sends anything: typing notices are throttled).
      await bob.locator('rt-chat-room textarea').pressSequentially('typing', { delay: 20 });
      await ann.waitForSelector('rt-chat-room .rt-typing:has-text("bob is typing")', { timeout: WAIT_MS });

      await sendChat(ann, 'hello from ann');
      assert.equal(await waitForText(bob, MESSAGE, 'hello from ann'), 1);
      await ann.waitForSelector('rt-chat-room .rt-message.rt-mine[data-status="sent"]', { timeout: WAIT_MS });
      assert.equal(await countText(ann, MESSAGE, 'hello from ann'), 1);

      await sendChat(bob, 'hi ann');
      assert.equal(await waitForText(ann, MESSAGE, 'hi ann'), 1);
      assert.equal(await countText(bob, MESSAGE, 'hi ann'), 1);

      const hostile = '<img src=x onerror="window.__pwned=1">';
      await sendChat(bob, hostile);
      assert.equal(await waitForText(ann, MESSAGE, hostile), 1);
      assert.equal(await ann.$$eval('rt-chat-room img', (images) => images.length), 0);
      assert.equal(await ann.evaluate(() => window.__pwned), undefined);

      // Elsewhere in the app, ann gets bob's messages as toasts.
      await ann.click('nav a:has-text("Notifications")');
      await sendChat(bob, 'are you there?');
      assert.equal(await waitForText(ann, '.rt-toast-text', 'are you there?'), 1);
      assert.equal(await waitForText(ann, '.rt-toast-title', '#general · bob'), 1);
      await ann.click('nav a:has-text("Chat")');
      assert.equal(await waitForText(ann, MESSAGE, 'are you there?'), 1);

      // Bob switches to another room and leaves #general: ann sees him go.
      await bob.click('app-room-picker button.room:has-text("#random")');
      await bob.waitForSelector('rt-chat-room[data-room="random"]', { timeout: WAIT_MS });
      await bob.click('app-room-picker button[aria-label="Leave #general"]');
      await waitForMemberCount(ann, 1);

      // Closing the browser context ends bob's connection; nothing arrives twice meanwhile.
      await bobContext.close();
      pages.splice(1, 1);
      assert.equal(await countText(ann, MESSAGE, 'hello from ann'), 1);
      assert.equal(await countText(ann, MESSAGE, 'hi ann'), 1);
      await annContext.close();
    }));
});
