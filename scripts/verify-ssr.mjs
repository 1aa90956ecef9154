// The SSR half of verify:package: a fresh `ng new --ssr` app, `ng add <tarball> --server`,
// a production build, the built server (`node dist/<app>/server/server.mjs`) on a free port,
// and in Chromium: the page rendered on the server hydrates, NotificationService,
// LongPollService and ChatService connect to that same server, an event published by the
// server's own code (`realtime.publish`) appears in the page, and a chat message makes the
// round trip. The server render must answer within 5 s and open no realtime connection; the
// conformance suite runs against the app. Last, SIGTERM with an SSE stream open must end the
// stream and exit 0 (the graceful stop the schematic writes into server.ts).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { launchBrowser } from '../e2e/support/browser.mjs';

const SERVER_PACKAGE = 'ngx-realtime-signals-server';
const FRAMEWORK = ['core', 'common', 'compiler', 'compiler-cli', 'forms', 'platform-browser', 'platform-server', 'router'];
const TOOLING = ['cli', 'build', 'ssr'];
/** The issue's bound on the server render of the live page. */
const SSR_BUDGET_MS = 5000;
const WAIT_MS = 30_000;
/**
 * Options the live app's `realtime` gets for the conformance suite: the HTTP publish endpoint it
 * publishes through (off by default), and a short heartbeat and history so those checks take seconds.
 */
const CONFORMANCE = { publishEndpoint: true, sseHeartbeatMs: 1000, historyLimit: 100 };

/**
 * Verifies one Angular major. `run(command, args, { cwd, path, env })` runs a command (rejecting on
 * failure); `path` puts the Node of that major first on PATH. Resolves with a one-line summary.
 */
export async function verifySsr({ major, path, work, run, clientTarball, serverTarball }) {
  const versions = await angularVersions(run, major);
  const name = `ssr${major}`;
  await run(
    'npx',
    ['-p', `@angular/cli@${versions.tooling}`, 'ng', 'new', name, '--defaults', '--skip-git', '--ssr', '--style=css', '--skip-install'],
    { cwd: work, path },
  );
  const app = join(work, name);
  pinAngular(app, versions);
  await run('npm', ['install'], { cwd: app, path });
  // the server package is not on the registry: install its tarball first, so ng add keeps that specifier
  await run('npm', ['install', serverTarball], { cwd: app, path });
  await run('npx', ['ng', 'add', clientTarball, '--skip-confirmation', '--server', '--base-url=/api'], { cwd: app, path });

  const server = readFileSync(join(app, 'src/server.ts'), 'utf8');
  for (const line of ["import { realtime } from './realtime';", 'app.use(realtime.basePath, realtime.router);', 'realtime.attach(server);']) {
    if (!server.includes(line)) throw new Error(`ng add --server did not write "${line}" into src/server.ts:\n${server}`);
  }
  if (server.indexOf('realtime.router') > server.indexOf('.handle(req)')) throw new Error('src/server.ts mounts realtime.router after the Angular handler.');
  if (!existsSync(join(app, 'src/realtime.ts'))) throw new Error('ng add --server did not create src/realtime.ts.');

  const watched = ['package.json', 'src', 'angular.json'];
  const before = snapshot(app, watched);
  await run('npx', ['ng', 'generate', 'ngx-realtime-signals:ng-add', '--server'], { cwd: app, path });
  await run('npx', ['ng', 'generate', 'ngx-realtime-signals:server'], { cwd: app, path });
  const changed = diff(before, snapshot(app, watched));
  if (changed.length) throw new Error(`A second ng-add --server / server run changed: ${changed.join(', ')}`);

  addLivePage(app);
  await run('npx', ['ng', 'build'], { cwd: app, path });
  const entry = join(app, 'dist', name, 'server', 'server.mjs');
  if (!existsSync(entry)) throw new Error(`ng build wrote no ${entry}.`);

  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const child = startServer(entry, { cwd: app, path, port });
  try {
    await waitForHealth(origin, child);
    const render = await checkServerRender(origin);
    const browser = await checkBrowser(origin);
    const conformance = await runConformance(run, app, path, `http://127.0.0.1:${port}/api`);
    const stop = await checkGracefulStop(origin, child);
    return [
      `ng ${versions.tooling}, @angular/* ${versions.framework}`,
      `SSR render ${render.ms} ms with no realtime connection`,
      browser,
      conformance,
      stop,
    ].join('; ');
  } catch (error) {
    const log = child.output().split('\n').slice(-20).join('\n');
    throw new Error(`${error instanceof Error ? error.message : error}\n--- server output (tail) ---\n${log}`);
  } finally {
    await child.stop();
  }
}

/**
 * The newest framework and tooling versions of a major that every package of an SSR app has:
 * the registry can carry @angular/core or @angular/cli releases before @angular/platform-server or
 * @angular/ssr, and ng new pins the CLI's own version for @angular/ssr.
 */
async function angularVersions(run, major) {
  const newestCommon = async (names) => {
    const sets = [];
    for (const pkg of names) {
      const { stdout } = await run('npm', ['view', `@angular/${pkg}@${major}`, 'version', '--json']);
      sets.push(new Set([].concat(JSON.parse(stdout)).filter((v) => /^\d+\.\d+\.\d+$/.test(v))));
    }
    const common = [...sets[0]].filter((v) => sets.every((set) => set.has(v)));
    const newest = common.sort(compareVersions).at(-1);
    if (!newest) throw new Error(`The registry has no ${major}.x version common to @angular/{${names.join(',')}}.`);
    return newest;
  };
  return { framework: await newestCommon(FRAMEWORK), tooling: await newestCommon(TOOLING) };
}

function compareVersions(a, b) {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

function pinAngular(app, { framework, tooling }) {
  const file = join(app, 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  for (const group of ['dependencies', 'devDependencies']) {
    for (const pkg of Object.keys(manifest[group] ?? {})) {
      const short = pkg.replace(/^@angular\//, '');
      if (pkg.startsWith('@angular/')) manifest[group][pkg] = TOOLING.includes(short) ? tooling : framework;
    }
  }
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

function snapshot(dir, names) {
  const files = new Map();
  const add = (path) => {
    if (!existsSync(path)) return;
    if (!statSync(path).isDirectory()) return void files.set(path, readFileSync(path, 'utf8'));
    for (const entry of readdirSync(path)) add(join(path, entry));
  };
  for (const name of names) add(join(dir, name));
  return files;
}

function diff(before, after) {
  return [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f));
}

/**
 * A route rendered on the server per request (/live), using the three services; a server route
 * that publishes through the `realtime` of src/realtime.ts, as any server code would; and the
 * options the conformance suite needs.
 */
function addLivePage(app) {
  mkdirSync(join(app, 'src/app/live'), { recursive: true });
  writeFileSync(
    join(app, 'src/app/live/live.ts'),
    `import { ChangeDetectionStrategy, Component, PLATFORM_ID, afterNextRender, inject, signal } from '@angular/core';
import { isPlatformBrowser } from '@angular/common';
import { ChatService, LongPollService, NotificationService } from 'ngx-realtime-signals';

@Component({
  selector: 'app-live',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: \`
    <p id="rendered-on">{{ renderedOn }}</p>
    <p id="hydrated">{{ hydrated() }}</p>
    <button id="clicks" type="button" (click)="clicks.set(clicks() + 1)">{{ clicks() }}</button>
    <p>sse <span id="sse-state">{{ notes.state() }}</span></p>
    <p>poll <span id="poll-state">{{ feed.state() }}</span></p>
    <p>chat <span id="chat-state">{{ chat.state() }}</span></p>
    <ul id="sse-events">@for (n of notes.notifications(); track n.id) { <li>{{ n.type }} {{ n.data.text }}</li> }</ul>
    <ul id="poll-events">@for (e of feed.events(); track e.id) { <li>{{ e.type }} {{ e.data.text }}</li> }</ul>
    <button id="chat-send" type="button" (click)="lobby.send('hello from the page')">send</button>
    <ul id="chat-messages">@for (m of lobby.messages(); track m.clientId ?? m.id) { <li>{{ m.from }}: {{ m.text }} ({{ m.status }})</li> }</ul>
  \`,
})
export class Live {
  protected readonly renderedOn = isPlatformBrowser(inject(PLATFORM_ID)) ? 'browser' : 'server';
  protected readonly hydrated = signal('not yet');
  protected readonly clicks = signal(0);
  protected readonly notes = inject(NotificationService<{ text: string }>);
  protected readonly feed = inject(LongPollService).watch<{ text: string }>('ssr-feed');
  protected readonly chat = inject(ChatService);
  protected readonly lobby = this.chat.join('lobby');

  constructor() {
    this.notes.connect('ssr-feed');
    this.chat.connect({ name: 'ssr-check' });
    afterNextRender(() => this.hydrated.set('hydrated'));
  }
}
`,
  );
  const routes = join(app, 'src/app/app.routes.ts');
  const routesSource = readFileSync(routes, 'utf8');
  if (!/export const routes: Routes = \[\];/.test(routesSource)) throw new Error(`Unexpected src/app/app.routes.ts:\n${routesSource}`);
  writeFileSync(
    routes,
    `import { Live } from './live/live';\n${routesSource.replace('export const routes: Routes = [];', "export const routes: Routes = [{ path: 'live', component: Live }];")}`,
  );
  const serverRoutes = join(app, 'src/app/app.routes.server.ts');
  const serverRoutesSource = readFileSync(serverRoutes, 'utf8');
  if (!serverRoutesSource.includes('export const serverRoutes: ServerRoute[] = [')) {
    throw new Error(`Unexpected src/app/app.routes.server.ts:\n${serverRoutesSource}`);
  }
  writeFileSync(
    serverRoutes,
    serverRoutesSource.replace(
      'export const serverRoutes: ServerRoute[] = [',
      "export const serverRoutes: ServerRoute[] = [\n  { path: 'live', renderMode: RenderMode.Server },",
    ),
  );

  const realtime = join(app, 'src/realtime.ts');
  const created = "createRealtime({ basePath: '/api' })";
  const realtimeSource = readFileSync(realtime, 'utf8');
  if (!realtimeSource.includes(created)) throw new Error(`src/realtime.ts does not call ${created}:\n${realtimeSource}`);
  const options = Object.entries(CONFORMANCE).map(([key, value]) => `${key}: ${value}`).join(', ');
  writeFileSync(realtime, realtimeSource.replace(created, `createRealtime({ basePath: '/api', ${options} })`));

  writeFileSync(
    join(app, 'src/publish-route.ts'),
    `import express from 'express';
import { realtime } from './realtime';

/** POST /publish-check { topic, type, data }: publishes from server code, not over the realtime HTTP API. */
export const publishRoute = express
  .Router()
  .post('/publish-check', express.json(), async (req, res) => {
    const { topic, type, data } = req.body as { topic: string; type: string; data: unknown };
    res.status(201).json(await realtime.publish(topic, type, data));
  });
`,
  );
  const server = join(app, 'src/server.ts');
  const mount = 'app.use(realtime.basePath, realtime.router);';
  writeFileSync(
    server,
    `import { publishRoute } from './publish-route';\n${readFileSync(server, 'utf8').replace(mount, `${mount}\napp.use(publishRoute);`)}`,
  );
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the built server; `stop()` sends SIGTERM to that process (and SIGKILL if it lingers). */
function startServer(entry, { cwd, path, port }) {
  const env = { ...process.env, PORT: String(port), NG_ALLOWED_HOSTS: 'localhost,127.0.0.1' };
  if (path) env.PATH = `${path}:${env.PATH}`;
  console.log(`  $ PORT=${port} node ${entry}`);
  const child = spawn('node', [entry], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * SIGTERM with an SSE stream open: the stop that server.ts got from the schematic ends the stream
 * (realtime.close()), closes the server and exits 0, well before stop()'s SIGKILL after 5 s.
 */
async function checkGracefulStop(origin, child) {
  const response = await fetch(`${origin}/api/events/verify-stop`, { headers: { accept: 'text/event-stream' } });
  if (response.status !== 200) throw new Error(`GET /api/events/verify-stop answered ${response.status}.`);
  const reader = response.body.getReader();
  await reader.read(); // the stream is open once its first bytes arrive
  const ended = (async () => {
    for (;;) if ((await reader.read()).done) return;
  })();
  const started = Date.now();
  await child.stop();
  const { code, signal } = await child.exited;
  if (code !== 0) throw new Error(`On SIGTERM the built server exited with ${signal ?? code}, not 0: its graceful stop did not finish.`);
  await ended;
  return `SIGTERM with an SSE stream open: stream ended, exit 0 in ${Date.now() - started} ms`;
}

async function waitForHealth(origin, child) {
  const deadline = Date.now() + WAIT_MS;
  let last = 'no answer';
  const exited = child.exited.then(({ code, signal }) => {
    throw new Error(`The built server exited (${signal ?? code}) before it answered /api/health.`);
  });
  while (Date.now() < deadline) {
    const answer = await Promise.race([health(origin).catch((e) => ({ error: e })), exited]);
    if (!answer.error) return answer;
    last = answer.error.message;
    await sleep(250);
  }
  throw new Error(`The built server did not answer ${origin}/api/health within ${WAIT_MS} ms (${last}).`);
}

async function health(origin) {
  const response = await fetch(`${origin}/api/health`);
  if (!response.ok) throw new Error(`/api/health answered ${response.status}`);
  return response.json();
}

/** The connection counts of an /api/health answer: `{ connections: { sse, longPoll, websocket } }`. */
function connectionCounts(answer) {
  const { sse, longPoll, websocket } = answer?.connections ?? {};
  if (![sse, longPoll, websocket].every((count) => Number.isInteger(count))) {
    throw new Error(`/api/health gives no connection counts per transport: ${JSON.stringify(answer)}`);
  }
  return { sse, longPoll, websocket };
}

/** GET /live without a browser: rendered on the server, in time, with no realtime connection opened meanwhile. */
async function checkServerRender(origin) {
  const seen = [];
  let rendering = true;
  const watcher = (async () => {
    while (rendering) {
      seen.push(connectionCounts(await health(origin)));
      await sleep(50);
    }
  })();
  const started = performance.now();
  let html;
  let status;
  try {
    const response = await fetch(`${origin}/live`, { signal: AbortSignal.timeout(WAIT_MS) });
    status = response.status;
    html = await response.text();
  } finally {
    rendering = false;
    await watcher;
  }
  const ms = Math.round(performance.now() - started);
  seen.push(connectionCounts(await health(origin)));
  if (status !== 200) throw new Error(`GET /live answered ${status}:\n${html.slice(0, 500)}`);
  if (!/id="rendered-on"[^>]*>\s*server\s*</.test(html)) throw new Error(`GET /live was not rendered on the server:\n${html.slice(0, 2000)}`);
  if (!/\bngh="/.test(html)) throw new Error('GET /live carries no hydration annotations (ngh).');
  if (ms > SSR_BUDGET_MS) throw new Error(`The server render of /live took ${ms} ms (more than ${SSR_BUDGET_MS} ms).`);
  const opened = seen.find((c) => c.sse || c.longPoll || c.websocket);
  if (opened) throw new Error(`The server render opened realtime connections: ${JSON.stringify(opened)}`);
  console.log(`  server render of /live: ${ms} ms, ${seen.length} health samples, all connection counts 0`);
  return { ms };
}

async function checkBrowser(origin) {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    // Keeps the element the HTML parser made from the server's markup: hydration reuses it, a fresh render replaces it.
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        const marker = document.getElementById('rendered-on');
        if (marker) {
          window.__serverMarker = marker;
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${origin}/live`, { waitUntil: 'load' });
    await waitForText(page, '#hydrated', 'hydrated');
    await waitForText(page, '#rendered-on', 'browser');
    const reused = await page.evaluate(() => !!window.__serverMarker && window.__serverMarker === document.getElementById('rendered-on'));
    if (!reused) throw new Error('The page did not hydrate: the server-rendered element was replaced.');
    await page.click('#clicks');
    await waitForText(page, '#clicks', '1');

    for (const transport of ['sse', 'poll', 'chat']) await waitForText(page, `#${transport}-state`, 'open');
    const counts = connectionCounts(await health(origin));
    if (!(counts.sse >= 1 && counts.longPoll >= 1 && counts.websocket >= 1)) {
      throw new Error(`The page is open on all three transports, but this server counts ${JSON.stringify(counts)}.`);
    }

    const text = `published by server code ${Date.now()}`;
    await publish(origin, { topic: 'ssr-feed', type: 'greeting', data: { text } });
    await waitForText(page, '#sse-events', `greeting ${text}`);
    await waitForText(page, '#poll-events', `greeting ${text}`);
    // chat messages are written by the chat server only, so the chat proves its round trip instead
    await page.click('#chat-send');
    await waitForText(page, '#chat-messages', 'ssr-check: hello from the page (sent)');
    if (problems.length) throw new Error(`The page reported:\n${problems.join('\n')}`);
    console.log(`  browser: hydrated; sse, poll, chat open (${JSON.stringify(counts)}); realtime.publish shown over sse and poll; chat send acknowledged`);
    return `hydrated, 3 transports on this server (${counts.sse} sse, ${counts.longPoll} poll, ${counts.websocket} ws), realtime.publish shown, chat send acked`;
  } finally {
    await browser.close();
  }
}

async function publish(origin, body) {
  const response = await fetch(`${origin}/publish-check`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`realtime.publish from server code failed: ${response.status} ${await response.text()}`);
  const event = await response.json();
  if (typeof event.id !== 'string' || event.topic !== body.topic) throw new Error(`realtime.publish resolved with ${JSON.stringify(event)}`);
}

async function waitForText(page, selector, expected) {
  try {
    await page.waitForFunction(
      ([sel, text]) => document.querySelector(sel)?.textContent?.includes(text) ?? false,
      [selector, expected],
      { timeout: WAIT_MS },
    );
  } catch {
    const actual = await page.evaluate((sel) => document.querySelector(sel)?.textContent ?? '(missing)', selector);
    throw new Error(`${selector} never showed "${expected}" within ${WAIT_MS} ms; it shows "${actual.trim().slice(0, 300)}".`);
  }
}

/** The server package's conformance suite against the app's realtime API; resolves with its summary line. */
async function runConformance(run, app, path, url) {
  const { output } = await run(
    'npx',
    ['--no-install', SERVER_PACKAGE, 'conformance', url, '--heartbeat-ms', String(CONFORMANCE.sseHeartbeatMs), '--history-limit', String(CONFORMANCE.historyLimit)],
    { cwd: app, path },
  );
  const summary = /^\s*(\d+ passed, \d+ failed)\s*$/m.exec(output)?.[1];
  if (!summary) throw new Error(`The conformance suite printed no "N passed, N failed" line:\n${output.split('\n').slice(-20).join('\n')}`);
  console.log(`  conformance: ${summary}`);
  return `conformance ${summary}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Builds and packs ngx-realtime-signals-server into `work`; resolves with the tarball's path. */
export async function packServerPackage({ root, work, run, build }) {
  if (build) await run('npm', ['run', 'build:server-pkg']);
  const dir = join(root, 'projects', SERVER_PACKAGE);
  if (!existsSync(join(dir, 'package.json'))) throw new Error(`${dir} is missing; the SSR check needs the server package.`);
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: dir });
  const [pack] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  console.log(`\ntarball ${pack.filename}: ${pack.size} bytes packed, ${pack.unpackedSize} bytes unpacked, ${pack.files.length} files`);
  return join(work, pack.filename);
}
