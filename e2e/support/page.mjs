import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from './server.mjs';

export const ARTIFACTS = path.join(ROOT, 'e2e/artifacts');

/** Generous: the machine is shared and Angular boots cold in each context. */
export const WAIT_MS = 45_000;

/**
 * Records every change of a status indicator's data-state in window.__rtStates,
 * so a test can tell that `reconnecting` was shown even if it lasted a moment.
 */
export async function recordConnectionStates(context) {
  await context.addInitScript(() => {
    window.__rtStates = [];
    new MutationObserver((records) => {
      for (const record of records) {
        const element = record.target;
        if (element.getAttribute && element.hasAttribute('data-connection')) {
          window.__rtStates.push({ name: element.getAttribute('data-connection'), state: element.getAttribute('data-state') });
        }
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  });
}

export async function openPage(context, baseUrl, route) {
  const page = await context.newPage();
  await page.goto(`${baseUrl}${route}`);
  return page;
}

export function connection(name) {
  return `rt-connection-status[data-connection="${name}"]`;
}

export async function waitForState(page, name, state, timeout = WAIT_MS) {
  await page.waitForSelector(`${connection(name)}[data-state="${state}"]`, { state: 'attached', timeout });
}

export async function stateOf(page, name) {
  return page.getAttribute(connection(name), 'data-state');
}

/** The states an indicator went through since the page loaded, repeats collapsed. */
export async function stateHistory(page, name) {
  const states = await page.evaluate((n) => window.__rtStates.filter((s) => s.name === n).map((s) => s.state), name);
  return states.filter((state, index) => state !== states[index - 1]);
}

/** data-event-id of every item matching `selector`, in page order. */
export async function listedIds(page, selector) {
  return page.$$eval(selector, (elements) => elements.map((element) => element.getAttribute('data-event-id')));
}

/** Waits until every id in `ids` is listed under `selector`. */
export async function waitForIds(page, selector, ids, timeout = WAIT_MS) {
  await page.waitForFunction(
    ([sel, wanted]) => {
      const shown = new Set(Array.from(document.querySelectorAll(sel), (element) => element.getAttribute('data-event-id')));
      return wanted.every((id) => shown.has(id));
    },
    [selector, ids],
    { timeout },
  );
}

/** Waits until `selector` matches an element whose text is exactly `text`, returns how many do. */
export async function waitForText(page, selector, text, timeout = WAIT_MS) {
  await page.waitForFunction(
    ([sel, wanted]) => Array.from(document.querySelectorAll(sel)).some((element) => element.textContent.trim() === wanted),
    [selector, text],
    { timeout },
  );
  return countText(page, selector, text);
}

export async function countText(page, selector, text) {
  return page.$$eval(selector, (elements, wanted) => elements.filter((element) => element.textContent.trim() === wanted).length, text);
}

/** Runs `body`; on failure saves a screenshot of every open page under e2e/artifacts/ before rethrowing. */
export async function withScreenshots(name, pages, body) {
  try {
    await body();
  } catch (error) {
    await mkdir(ARTIFACTS, { recursive: true });
    const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    await Promise.all(
      pages().map((page, index) =>
        page.screenshot({ path: path.join(ARTIFACTS, `${slug}-${index + 1}.png`), fullPage: true }).catch(() => undefined),
      ),
    );
    throw error;
  }
}

/** Signs in on the chat page and opens the first room. */
export async function joinChat(page, name) {
  await page.fill('input[name="name"]', name);
  await page.click('button[type="submit"]:has-text("Join the chat")');
  await page.waitForSelector('rt-chat-room[data-room="general"] textarea', { timeout: WAIT_MS });
  await waitForState(page, 'chat', 'open');
}

export async function sendChat(page, text) {
  const composer = page.locator('rt-chat-room textarea');
  await composer.fill(text);
  await composer.press('Enter');
}
