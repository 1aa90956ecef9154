import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { demoAndBrowser } from './support/fixture.mjs';
import { publish } from './support/server.mjs';
import { WAIT_MS, listedIds, openPage, waitForIds, waitForState, waitForText, withScreenshots } from './support/page.mjs';

const LIST = '.notification-list [data-event-id]';

describe('notifications over SSE in the demo app', { timeout: 180_000 }, () => {
  const fixture = demoAndBrowser();
  let context;
  let pages = [];

  beforeEach(async () => {
    context = await fixture.browser.newContext();
    pages = [];
  });
  afterEach(async () => context?.close());

  it('shows notifications published over HTTP in the list, the bell and a toast', () =>
    withScreenshots('notifications-arrive', () => pages, async () => {
      const page = await openPage(context, fixture.server.url, '/notifications');
      pages.push(page);
      await waitForState(page, 'notifications', 'open');

      const ids = [];
      for (let i = 1; i <= 5; i += 1) {
        ids.push(await publish(fixture.server.url, 'notifications', 'notification', { title: `Build ${i}`, text: `build ${i} is live` }));
      }
      await waitForIds(page, LIST, ids);

      assert.deepEqual(await listedIds(page, LIST), [...ids].reverse(), 'each notification once, newest first');
      assert.equal(await page.getAttribute('.rt-bell', 'aria-label'), 'Notifications, 5 unread');
      assert.equal(await waitForText(page, '.rt-toast-text', 'Build 5: build 5 is live'), 1);
    }));

  it('publishes a notification from the form on the page', () =>
    withScreenshots('notifications-form', () => pages, async () => {
      const page = await openPage(context, fixture.server.url, '/notifications');
      pages.push(page);
      await waitForState(page, 'notifications', 'open');

      await page.fill('input[name="title"]', 'Hand made');
      await page.fill('input[name="text"]', 'typed into the form');
      await page.click('button:has-text("Publish")');

      await page.waitForSelector('.result:has-text("Published as")', { timeout: WAIT_MS });
      assert.equal(await waitForText(page, '.notification-list .rt-feed-text', 'Hand made: typed into the form'), 1);
    }));

  it('works the bell from the keyboard: Enter opens, focus moves in, Escape closes and returns focus', () =>
    withScreenshots('notifications-bell-keyboard', () => pages, async () => {
      const page = await openPage(context, fixture.server.url, '/notifications');
      pages.push(page);
      await waitForState(page, 'notifications', 'open');
      const id = await publish(fixture.server.url, 'notifications', 'notification', { title: 'Key', text: 'keyboard check' });
      await waitForIds(page, LIST, [id]);

      await page.focus('.rt-bell');
      await page.keyboard.press('Enter');
      await page.waitForSelector('.rt-panel', { timeout: WAIT_MS });
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Mark read');

      await page.keyboard.press('Escape');
      await page.waitForSelector('.rt-panel', { state: 'detached', timeout: WAIT_MS });
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('rt-bell')), true);

      await page.keyboard.press(' ');
      await page.waitForSelector('.rt-panel', { timeout: WAIT_MS });
      await page.click('.rt-panel-head button:has-text("Mark all read")');
      await page.waitForFunction(() => document.querySelector('.rt-bell')?.getAttribute('aria-label') === 'Notifications');
    }));

  it('shows a notification carrying markup as text and runs none of it', () =>
    withScreenshots('notifications-markup', () => pages, async () => {
      const page = await openPage(context, fixture.server.url, '/notifications');
      pages.push(page);
      await waitForState(page, 'notifications', 'open');
      const hostile = '<img src=x onerror="window.__pwned=1">';

      const id = await publish(fixture.server.url, 'notifications', 'notification', { title: 'Markup', text: hostile });
      await waitForIds(page, LIST, [id]);

      assert.equal(await waitForText(page, '.notification-list .rt-feed-text', `Markup: ${hostile}`), 1);
      assert.equal(await page.$$eval('main img, rt-toast-outlet img', (images) => images.length), 0);
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
    }));
});
