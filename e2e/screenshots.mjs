// Screenshots of every demo page with the demo scenario running, for the README and for review.
// Usage: npm run build && npm run build:server && node e2e/screenshots.mjs [--readme]
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launchBrowser } from './support/browser.mjs';
import { ROOT, demoServer, freePort, publish } from './support/server.mjs';
import { ARTIFACTS, joinChat, sendChat, waitForState } from './support/page.mjs';

const OUT = path.join(ARTIFACTS, 'screenshots');
const README_IMAGE = path.join(ROOT, 'docs/images/demo-notifications.png');

const server = demoServer({
  port: await freePort(),
  env: { DEMO_SCENARIO: 'on' },
});
await server.start();
const browser = await launchBrowser();
try {
  await mkdir(OUT, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  const page = await context.newPage();

  await page.goto(`${server.url}/notifications`);
  await waitForState(page, 'notifications', 'open');
  await waitForState(page, 'orders', 'open');
  for (const [title, text] of [
    ['Deploy finished', 'Build #482 is live on production.'],
    ['Payment received', 'Invoice 1093 was paid.'],
    ['Comment', 'A reviewer left 3 comments on your pull request.'],
  ]) {
    await publish(server.url, 'notifications', 'notification', { title, text, level: 'info' });
  }
  await page.waitForSelector('.notification-list [data-event-id]:nth-child(3)');
  await page.screenshot({ path: path.join(OUT, 'notifications.png') });

  const other = await (await browser.newContext()).newPage();
  await other.goto(`${server.url}/chat`);
  await joinChat(other, 'grace');
  await page.goto(`${server.url}/chat`);
  await joinChat(page, 'ada');
  await sendChat(other, 'Morning! The new build is live.');
  await sendChat(page, 'Nice, the reconnect banner looks much better now.');
  await page.waitForSelector('rt-chat-room .rt-message:nth-child(2)');
  // Typing notices are throttled per room (one per 2 s); let the last one from the send expire.
  await page.waitForTimeout(2500);
  await other.locator('rt-chat-room textarea').pressSequentially('checking', { delay: 30 });
  await page.waitForSelector('rt-chat-room .rt-typing:has-text("typing")');
  await page.screenshot({ path: path.join(OUT, 'chat.png') });

  // In-app navigation keeps every connection of the session alive for the status strip.
  await page.click('nav a:has-text("Order tracking")');
  await waitForState(page, 'orders', 'open');
  // The scenario advances an order every few seconds; wait for a handful of steps.
  await page.waitForSelector('.order-feed [data-event-id]:nth-child(4)', { timeout: 60_000 });
  await page.screenshot({ path: path.join(OUT, 'orders.png') });

  if (process.argv.includes('--readme')) {
    await mkdir(path.dirname(README_IMAGE), { recursive: true });
    await copyFile(path.join(OUT, 'notifications.png'), README_IMAGE);
  }
  console.log(`screenshots in ${OUT}`);
} finally {
  await browser.close();
  await server.kill('SIGTERM');
}
