#!/usr/bin/env node
// Proves the packed library works where users meet it: a fresh Angular app made by
// the Angular CLI, `ng add <tarball>`, a production build, and the app's own test
// runner running a component test that uses ngx-realtime-signals/testing; then the
// same app as a zone.js app using all three services must become stable in Chromium
// (scripts/fresh-app-zone-stability.mjs); then an `ng new --ssr` app with `ng add --server`
// and ngx-realtime-signals-server (scripts/verify-ssr.mjs).
// Once per supported Angular major, each on a Node it supports.
//
// usage: node scripts/verify-package.mjs [21] [22] [--no-build] [--ssr-only]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyZoneAppStability } from './fresh-app-zone-stability.mjs';
import { packServerPackage, verifySsr } from './verify-ssr.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const majors = args.filter((a) => /^\d+$/.test(a)).map(Number);
const targets = (majors.length ? majors : [21, 22]).map((major) => ({
  major,
  // Angular 22 needs Node ^22.22; the registry's `node` package ships that binary.
  node: major >= 22 ? '22' : null,
}));

const work = mkdtempSync(join(tmpdir(), 'rt-verify-package-'));
const removeWork = () => rmSync(work, { recursive: true, force: true });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    removeWork();
    process.exit(130);
  });
}

/** The environment for every child: no npm_* variables leaking from `npm run` into the fresh apps' npm. */
function childEnv(extraPath) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_|^INIT_CWD$/i.test(key)));
  return {
    ...env,
    PATH: extraPath ? `${extraPath}:${env.PATH}` : env.PATH,
    CI: 'true',
    NG_CLI_ANALYTICS: 'false',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

/** Runs a command; resolves with its stdout and its whole output, rejects with the output's tail. */
function run(command, commandArgs, { cwd = root, path } = {}) {
  const line = `${command} ${commandArgs.join(' ')}`;
  console.log(`  $ ${line}${cwd === root ? '' : `   (in ${cwd})`}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd, env: childEnv(path), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolve({ stdout, output });
      const tail = output.split('\n').filter((l) => !l.includes('Unknown user config') && !l.includes('Unknown env config')).slice(-40).join('\n');
      reject(new Error(`"${line}" exited with ${code}:\n${tail}`));
    });
  });
}

async function packLibrary() {
  if (!args.includes('--no-build')) await run('npm', ['run', 'build:lib']);
  const dist = join(root, 'dist/ngx-realtime-signals');
  if (!existsSync(join(dist, 'schematics/package.json'))) throw new Error('dist lacks schematics/package.json; build:lib did not compile the schematic.');
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: dist });
  const [pack] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  if (!pack.files.some((f) => f.path === 'schematics/package.json')) throw new Error('npm pack dropped schematics/package.json.');
  console.log(`\ntarball ${pack.filename}: ${pack.size} bytes packed, ${pack.unpackedSize} bytes unpacked, ${pack.files.length} files`);
  for (const file of pack.files) console.log(`  ${String(file.size).padStart(7)}  ${file.path}`);
  return join(work, pack.filename);
}

/** A directory whose `node` is the requested major (from the registry's `node` package), or null for this Node. */
async function nodeBin(version) {
  if (!version) return null;
  const prefix = join(work, `node${version}`);
  await run('npm', ['install', '--prefix', prefix, '--no-save', `node@${version}`]);
  return join(prefix, 'node_modules/.bin');
}

/** The newest CLI release whose @angular/build is published too (a CLI release can precede its builder). */
async function cliVersion(major) {
  const versions = JSON.parse((await run('npm', ['view', `@angular/build@${major}`, 'version', '--json'])).stdout);
  return [].concat(versions).filter((v) => /^\d+\.\d+\.\d+$/.test(v)).at(-1);
}

/** Path -> content of every file under the given names (files or directories) of `dir`. */
function snapshot(dir, names) {
  const files = new Map();
  const add = (path) => {
    if (!statSync(path).isDirectory()) return void files.set(path, readFileSync(path, 'utf8'));
    for (const entry of readdirSync(path)) add(join(path, entry));
  };
  for (const name of names) add(join(dir, name));
  return files;
}

/** Puts the generated demo into the root component, so the production build compiles and bundles it. */
function showDemo(app) {
  const component = ['src/app/app.ts', 'src/app/app.component.ts'].map((p) => join(app, p)).find(existsSync);
  if (!component) throw new Error('No root component (src/app/app.ts) in the fresh app.');
  const source = readFileSync(component, 'utf8');
  if (!/imports: \[/.test(source)) throw new Error(`${component} has no imports array to add RealtimeDemo to.`);
  writeFileSync(
    component,
    `import { RealtimeDemo } from './realtime-demo/realtime-demo';\n` + source.replace(/imports: \[/, 'imports: [RealtimeDemo, '),
  );
  const template = ['src/app/app.html', 'src/app/app.component.html'].map((p) => join(app, p)).find(existsSync);
  if (!template) throw new Error('No root template (src/app/app.html) in the fresh app.');
  writeFileSync(template, `<app-realtime-demo />\n${readFileSync(template, 'utf8')}`);
}

async function verify({ major, node }, tarball) {
  console.log(`\n== Angular ${major}${node ? ` on Node ${node}` : ''}`);
  const path = await nodeBin(node);
  const nodeVersion = (await run('node', ['--version'], { path })).stdout.trim();
  const cli = await cliVersion(major);
  const name = `app${major}`;
  await run('npx', ['-p', `@angular/cli@${cli}`, 'ng', 'new', name, '--defaults', '--skip-git', '--ssr=false', '--style=css'], { cwd: work, path });
  const app = join(work, name);

  await run('npx', ['ng', 'add', tarball, '--skip-confirmation', '--demo', '--base-url=/api'], { cwd: app, path });
  const config = readFileSync(join(app, 'src/app/app.config.ts'), 'utf8');
  if (!config.includes("provideRealtime({ baseUrl: '/api' })")) throw new Error(`ng add did not add provideRealtime to app.config.ts:\n${config}`);
  if (!existsSync(join(app, 'node_modules/ngx-realtime-signals/schematics/package.json'))) throw new Error('The installed package lacks schematics/package.json.');

  const watched = ['package.json', 'src'];
  const before = snapshot(app, watched);
  await run('npx', ['ng', 'generate', 'ngx-realtime-signals:ng-add', '--demo'], { cwd: app, path });
  const after = snapshot(app, watched);
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f));
  if (changed.length) throw new Error(`A second ng-add run changed: ${changed.join(', ')}`);

  showDemo(app);
  await run('npx', ['ng', 'build'], { cwd: app, path });
  const { output } = await run('npx', ['ng', 'test', '--watch=false', '--include=src/app/realtime-demo/realtime-demo.spec.ts'], { cwd: app, path });
  // a failing test already failed the command; this reads how many ran, to show it ran at all
  const passed = /Tests\s+(\d+) passed/.exec(output);
  if (!passed) throw new Error(`ng test passed but reported no passing tests:\n${output.split('\n').slice(-30).join('\n')}`);
  const zoneApp = await verifyZoneAppStability({ app, name, root, run, path });
  return `ng add, idempotent re-run, build, test: ${passed[1]} passed; ${zoneApp}; cli ${cli}, node ${nodeVersion}`;
}

const verdicts = [];
let failed = false;
try {
  const tarball = await packLibrary();
  const serverTarball = await packServerPackage({ root, work, run, build: !args.includes('--no-build') });
  for (const target of targets) {
    if (!args.includes('--ssr-only')) {
      try {
        verdicts.push(`verify:package angular@${target.major} PASS (${await verify(target, tarball)})`);
      } catch (error) {
        failed = true;
        console.error(`\n${error instanceof Error ? error.message : error}`);
        verdicts.push(`verify:package angular@${target.major} FAIL (${String(error?.message ?? error).split('\n')[0]})`);
      }
    }
    try {
      console.log(`\n== Angular ${target.major} SSR${target.node ? ` on Node ${target.node}` : ''}`);
      const path = await nodeBin(target.node);
      const summary = await verifySsr({ major: target.major, path, work, run, clientTarball: tarball, serverTarball });
      verdicts.push(`verify:package angular@${target.major} ssr PASS (${summary})`);
    } catch (error) {
      failed = true;
      console.error(`\n${error instanceof Error ? error.message : error}`);
      verdicts.push(`verify:package angular@${target.major} ssr FAIL (${String(error?.message ?? error).split('\n')[0]})`);
    }
  }
} catch (error) {
  failed = true;
  console.error(`\n${error instanceof Error ? error.message : error}`);
  verdicts.push(`verify:package FAIL (${String(error?.message ?? error).split('\n')[0]})`);
} finally {
  removeWork();
}
console.log(`\n${verdicts.join('\n')}`);
process.exit(failed ? 1 : 0);
