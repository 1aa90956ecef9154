// The fresh-app check of verify:package for zone.js applications: the generated app is
// turned into a zone.js app (zone.js polyfill, provideZoneChangeDetection()) whose root
// component uses the three services as the README shows. Its production build is served
// by the real demo-server and opened in Chromium, which must see ApplicationRef.isStable
// emit true with every connection open, and again after events arrived on each transport.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { launchBrowser } from '../e2e/support/browser.mjs';

/** "A few seconds": the timers that would keep a zone busy (chat's 10 s ping, 90 s watchdog) are far longer. */
const STABLE_WITHIN_MS = 5000;
/** Generous: a cold Angular boot on a shared machine. */
const OPEN_WITHIN_MS = 45_000;

const DASHBOARD = `import { Component, inject } from '@angular/core';
import { ChatService, LongPollService, NotificationService } from 'ngx-realtime-signals';

/** The README's dashboard, plus one line naming each connection's state. */
@Component({
  selector: 'app-dashboard',
  template: \`
    <p id="rt-states">notes {{ notes.state() }}, orders {{ orders.state() }}, chat {{ chat.state() }}, lobby {{ lobby.joined() ? 'joined' : 'waiting' }}</p>

    <!-- notifications over SSE: newest first -->
    <button (click)="notes.markAllRead()">🔔 {{ notes.unreadCount() }}</button>
    @for (n of notes.notifications(); track n.id) {
      <p [class.unread]="!n.read" (click)="notes.markRead(n.id)">{{ n.type }}: {{ n.data.text }}</p>
    }

    <!-- a topic by long polling: oldest first -->
    <p>orders: {{ orders.state() }}, latest {{ orders.latest()?.data?.status }}</p>
    @for (e of orders.events(); track e.id) { <li>{{ e.data.status }}</li> }

    <!-- chat over WebSocket -->
    @for (m of lobby.messages(); track m.clientId ?? m.id) { <p>{{ m.from }}: {{ m.text }} ({{ m.status }})</p> }
    <input #box id="rt-box" (keyup.enter)="lobby.send(box.value); box.value = ''" (input)="lobby.setTyping()" />
  \`,
})
export class DashboardComponent {
  readonly notes = inject(NotificationService<{ text: string }>);
  readonly orders = inject(LongPollService).watch<{ status: string }>('orders');
  readonly chat = inject(ChatService);
  readonly lobby = this.chat.join('lobby');

  constructor() {
    this.notes.connect('user:42');
    this.chat.connect({ name: 'ada' });
  }
}
`;

const ROOT_COMPONENT = `import { Component } from '@angular/core';
import { DashboardComponent } from './dashboard';

@Component({ selector: 'app-root', imports: [DashboardComponent], template: '<app-dashboard />' })
export class App {}
`;

// The probe the check reads from the page: isStable itself, and what keeps the zone busy (task tracking).
const MAIN = `import { ApplicationRef, NgZone } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { filter, firstValueFrom, map, race, timer } from 'rxjs';
import { App } from './app/app';
import { appConfig } from './app/app.config';

bootstrapApplication(App, appConfig)
  .then((appRef: ApplicationRef) => {
    const zone = appRef.injector.get(NgZone);
    (window as unknown as Record<string, unknown>)['rtStability'] = {
      zoneJs: typeof (globalThis as Record<string, unknown>)['Zone'] !== 'undefined' && zone instanceof NgZone,
      whenStable: (ms: number) =>
        firstValueFrom(race(appRef.isStable.pipe(filter(Boolean)), timer(ms).pipe(map(() => false)))),
      pending: () => {
        const inner = (zone as unknown as { _inner?: { get(key: string): unknown } })._inner;
        const tracking = inner?.get('TaskTrackingZone') as { macroTasks: { source: string; creationLocation?: Error }[] } | undefined;
        // the first frames outside zone.js itself say who scheduled the task
        const origin = (t: { creationLocation?: Error }) =>
          (t.creationLocation?.stack ?? '').split('\\n').slice(1).filter((line) => !line.includes('polyfills')).slice(0, 2);
        return tracking?.macroTasks.map((t) => [t.source, ...origin(t)].join(' ').replace(/\\s+/g, ' ')) ?? null;
      },
    };
  })
  .catch((err) => console.error(err));
`;

let serverBuilt = null;

/** dist/demo-server, built once per run. */
function buildServer(run, root) {
  serverBuilt ??= run('npm', ['run', 'build:server'], { cwd: root });
  return serverBuilt;
}

/** Makes the generated app a zone.js application rendering the README's dashboard. */
async function makeZoneApp(app, name, run, path) {
  const core = JSON.parse(readFileSync(join(app, 'node_modules/@angular/core/package.json'), 'utf8'));
  const zoneRange = core.peerDependencies?.['zone.js'];
  if (!zoneRange) throw new Error('@angular/core names no zone.js peer range.');
  await run('npm', ['install', `zone.js@${zoneRange.split('||').at(-1).trim()}`], { cwd: app, path });

  const angularJson = JSON.parse(readFileSync(join(app, 'angular.json'), 'utf8'));
  const build = angularJson.projects?.[name]?.architect?.build;
  if (!build) throw new Error(`angular.json has no build target for ${name}.`);
  build.options.polyfills = ['zone.js', 'zone.js/plugins/task-tracking'];
  writeFileSync(join(app, 'angular.json'), JSON.stringify(angularJson, null, 2));

  const configPath = join(app, 'src/app/app.config.ts');
  const config = readFileSync(configPath, 'utf8').replace(/\s*provideZonelessChangeDetection\(\),?/g, '');
  if (!/providers: \[/.test(config)) throw new Error(`${configPath} has no providers array:\n${config}`);
  if (!config.includes('provideZoneChangeDetection(')) {
    writeFileSync(
      configPath,
      `import { provideZoneChangeDetection } from '@angular/core';\n` +
        config.replace(/providers: \[/, 'providers: [provideZoneChangeDetection({ eventCoalescing: true }), '),
    );
  }
  writeFileSync(join(app, 'src/app/dashboard.ts'), DASHBOARD);
  writeFileSync(join(app, 'src/app/app.ts'), ROOT_COMPONENT);
  writeFileSync(join(app, 'src/main.ts'), MAIN);
}

/** The built demo-server serving `staticDir`, on a port the OS picks. */
async function startServer(root, staticDir) {
  const main = join(root, 'dist/demo-server/main.js');
  const child = spawn(process.execPath, [main], {
    cwd: root,
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', STATIC_DIR: staticDir, DEMO_SCENARIO: 'off', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`demo-server exited with ${code} before listening:\n${output}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { url, stop };
}

async function publish(url, topic, data) {
  const response = await fetch(`${url}/api/topics/${encodeURIComponent(topic)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'note', data }),
  });
  if (response.status !== 201) throw new Error(`publish to ${topic} answered ${response.status}: ${await response.text()}`);
}

/** A second chat user on a plain socket that joins `room` and says `text` there. */
async function peerSays(url, room, text) {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/chat?name=bob`);
  await new Promise((resolve, reject) => {
    socket.once('message', resolve); // welcome
    socket.once('error', reject);
  });
  const joined = new Promise((resolve) =>
    socket.on('message', (data) => JSON.parse(String(data)).type === 'joined' && resolve()),
  );
  socket.send(JSON.stringify({ type: 'join', room }));
  await joined;
  socket.send(JSON.stringify({ type: 'send', room, clientId: 'bob-1', text }));
  return socket;
}

async function expectStable(page, when) {
  const stable = await page.evaluate((ms) => window.rtStability.whenStable(ms), STABLE_WITHIN_MS);
  if (stable) return;
  const pending = await page.evaluate(() => window.rtStability.pending());
  throw new Error(
    `ApplicationRef.isStable did not emit true within ${STABLE_WITHIN_MS} ms ${when}; ` +
      `macrotasks pending in the Angular zone: ${JSON.stringify(pending)}`,
  );
}

/**
 * Turns the fresh app at `app` (project `name`) into a zone.js app using all three
 * services, builds it, and checks in Chromium that it becomes stable. `run` is
 * verify-package's command runner, `path` the directory of the Node to use.
 */
export async function verifyZoneAppStability({ app, name, root, run, path }) {
  await buildServer(run, root);
  await makeZoneApp(app, name, run, path);
  await run('npx', ['ng', 'build'], { cwd: app, path });
  const staticDir = join(app, 'dist', name, 'browser');
  if (!existsSync(join(staticDir, 'index.html'))) throw new Error(`The build wrote no ${staticDir}/index.html.`);

  const server = await startServer(root, staticDir);
  const browser = await launchBrowser();
  let peer = null;
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(server.url);
    await page.waitForFunction(() => window.rtStability, null, { timeout: OPEN_WITHIN_MS });
    if (!(await page.evaluate(() => window.rtStability.zoneJs))) throw new Error('The app does not run in a zone.js NgZone.');
    await page
      .waitForFunction(
        () => document.getElementById('rt-states')?.textContent?.trim() === 'notes open, orders open, chat open, lobby joined',
        null,
        { timeout: OPEN_WITHIN_MS },
      )
      .catch(async () => {
        const states = await page.evaluate(() => document.getElementById('rt-states')?.textContent);
        throw new Error(`The connections did not all open: "${states}"; page errors: ${JSON.stringify(errors)}`);
      });
    await expectStable(page, 'with every connection open');

    await publish(server.url, 'user:42', { text: 'first note' });
    await publish(server.url, 'orders', { status: 'shipped' });
    peer = await peerSays(server.url, 'lobby', 'hello from bob');
    await page.fill('#rt-box', 'hello from ada'); // a user's keystrokes: handled inside the Angular zone
    await page.press('#rt-box', 'Enter');
    const arrived = ['note: first note', 'latest shipped', 'bob: hello from bob (sent)', 'ada: hello from ada (sent)'];
    await page
      .waitForFunction((texts) => texts.every((t) => document.body.textContent.includes(t)), arrived, { timeout: OPEN_WITHIN_MS })
      .catch(async () => {
        throw new Error(`Not every event was rendered; the page shows: ${await page.evaluate(() => document.body.textContent)}`);
      });
    await expectStable(page, 'after events arrived on each transport');
    if (errors.length) throw new Error(`The page logged errors: ${JSON.stringify(errors)}`);
    return 'zone.js app stable with SSE, long poll and chat open, and again after events on each';
  } finally {
    peer?.close();
    await browser.close();
    await server.stop();
  }
}
