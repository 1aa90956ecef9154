import { after, before } from 'node:test';
import { launchBrowser } from './browser.mjs';
import { demoServer, freePort } from './server.mjs';

/**
 * Registers hooks that start the built demo-server on a free port and a
 * Chromium for the enclosing `describe`, and stop both after it. Read
 * `fixture.server` and `fixture.browser` inside the tests.
 */
export function demoAndBrowser() {
  const fixture = { server: undefined, browser: undefined };
  before(async () => {
    fixture.server = demoServer({ port: await freePort() });
    await fixture.server.start();
    fixture.browser = await launchBrowser();
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.server?.kill('SIGTERM');
  });
  return fixture;
}
