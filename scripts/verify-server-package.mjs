// Checks ngx-realtime-signals-server as a user gets it: packs the tarball, installs it into a
// fresh Express 5 app in a temp folder, mounts it at /realtime as the package README shows,
// starts the app, runs the package's own conformance command against it, then the library's
// cut-and-resume tests (one per transport) against the same app.
//
// Usage: npm run verify:server-package   (KEEP=1 keeps the temp folder)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = join(root, 'projects/ngx-realtime-signals-server');
const work = mkdtempSync(join(os.tmpdir(), 'verify-server-package-'));
const appDir = join(work, 'app');
let server;

function step(text) {
  console.log(`\n==> ${text}`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  return result;
}

const SERVER = `import express from 'express';
import { createRealtime } from 'ngx-realtime-signals-server';

const app = express();
// publishEndpoint: true opens POST /realtime/topics/:topic/events without auth, which the
// conformance suite publishes through; see "The HTTP publish endpoint" in the package README.
const realtime = createRealtime({ basePath: '/realtime', publishEndpoint: true });
app.use(realtime.basePath, realtime.router);
app.get('/', (_req, res) => res.send('fresh app'));
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', async () => {
  const event = await realtime.publish('app', 'app.started', { pid: process.pid });
  console.log(\`published \${event.type} as \${event.id}\`);
  console.log(\`listening on http://127.0.0.1:\${server.address().port}\`);
});
realtime.attach(server);
process.once('SIGTERM', async () => {
  await realtime.close();
  server.close(() => process.exit(0));
});
`;

async function main() {
  step('build ngx-realtime-signals-server');
  run(process.execPath, [join(root, 'scripts/build-server-package.mjs')]);

  step('npm pack');
  const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: pkgDir, encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const [tarball] = JSON.parse(pack.stdout);
  const tarballPath = join(work, tarball.filename);
  console.log(`tarball: ${tarball.filename}, ${tarball.size} bytes packed, ${tarball.unpackedSize} bytes unpacked, ${tarball.files.length} files`);
  for (const file of tarball.files) console.log(`  ${String(file.size).padStart(7)}  ${file.path}`);
  const junk = tarball.files.filter((file) => /\.(ts|map)$/.test(file.path) && !file.path.endsWith('.d.ts'));
  const tests = tarball.files.filter((file) => /(^|\/)test\/|\.spec\./.test(file.path));
  if (junk.length > 0 || tests.length > 0) throw new Error(`the tarball carries sources, maps or tests: ${[...junk, ...tests].map((f) => f.path).join(', ')}`);

  step(`fresh Express 5 app in ${appDir}`);
  mkdirSync(appDir);
  writeFileSync(join(appDir, 'package.json'), `${JSON.stringify({ name: 'fresh-express-app', private: true, type: 'module' }, null, 2)}\n`);
  writeFileSync(join(appDir, 'server.mjs'), SERVER);
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', 'express@^5', tarballPath], { cwd: appDir });

  step('start the app');
  server = spawn(process.execPath, ['server.mjs'], { cwd: appDir, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the app did not start: ${out}`)), 30_000);
    server.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    server.once('exit', (code) => reject(new Error(`the app exited with ${code}: ${out}`)));
  });
  const base = `${url}/realtime`;

  step(`npx ngx-realtime-signals-server conformance ${base}`);
  run('npx', ['--no-install', 'ngx-realtime-signals-server', 'conformance', base], { cwd: appDir });

  step('the library cut-and-resume tests against the app');
  run(process.execPath, [join(root, 'node_modules/jest/bin/jest.js'), '--selectProjects', 'lib-integration', '--', 'server-package.int.spec'], {
    cwd: root,
    env: { ...process.env, REALTIME_SERVER_URL: base },
  });
  console.log(`\nverify-server-package: ok (${tarball.filename}, ${tarball.size} bytes, ${tarball.files.length} files)`);
}

main()
  .catch((error) => {
    console.error(`\nverify-server-package: FAILED: ${error.message}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    if (process.env.KEEP) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  });
