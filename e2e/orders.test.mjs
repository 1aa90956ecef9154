import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoAndBrowser } from './support/fixture.mjs';
import { publish } from './support/server.mjs';
import { listedIds, openPage, waitForIds, waitForState, withScreenshots } from './support/page.mjs';

const FEED = '.order-feed [data-event-id]';
const STEPS = ['placed', 'paid', 'packed', 'shipped', 'delivered'];

function step(orderId, stepIndex) {
  const name = STEPS[stepIndex];
  return { type: `order.${name}`, data: { orderId, item: 'desk lamp', step: name, stepIndex, steps: STEPS.length } };
}

describe('order tracking over long polling in the demo app', { timeout: 180_000 }, () => {
  const fixture = demoAndBrowser();
  let pages = [];


  it('advances the feed and the order board as progress events are published', () =>
    withScreenshots('orders-advance', () => pages, async () => {
      const context = await fixture.browser.newContext();
      const page = await openPage(context, fixture.server.url, '/orders');
      pages.push(page);
      await waitForState(page, 'orders', 'open');

      const ids = [];
      for (let stepIndex = 0; stepIndex < 3; stepIndex += 1) {
        const { type, data } = step('A-1', stepIndex);
        ids.push(await publish(fixture.server.url, 'orders', type, data));
        await waitForIds(page, FEED, ids);
        assert.equal(await page.textContent('tr[data-order-id="A-1"] td:nth-of-type(2)'), STEPS[stepIndex]);
      }

      // Published in a burst: the next poll picks them all up from its cursor.
      for (let stepIndex = 3; stepIndex < 5; stepIndex += 1) {
        const { type, data } = step('A-1', stepIndex);
        ids.push(await publish(fixture.server.url, 'orders', type, data));
      }
      await waitForIds(page, FEED, ids);

      assert.deepEqual(await listedIds(page, FEED), [...ids].reverse(), 'every event once, newest first');
      assert.equal(await page.textContent('tr[data-order-id="A-1"] td:nth-of-type(2)'), 'delivered');
      assert.equal(await page.getAttribute('tr[data-order-id="A-1"] progress', 'value'), '5');
      await context.close();
    }));
});
