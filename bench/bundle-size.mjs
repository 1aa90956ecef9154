#!/usr/bin/env node
/**
 * What the library costs an application: bundles the built FESM (dist/) with
 * esbuild, minified, Angular/rxjs external (the app has them anyway), once for
 * everything and once per service through an entry that imports only that
 * service plus provideRealtime, so tree-shaking shows each service's share.
 *
 *   npx ng build ngx-realtime-signals && node bench/bundle-size.mjs [--json] [--check]
 *   npm run bench:size        (--build: builds the library first, its output shown only on failure)
 *
 * --check compares each row's minified + gzip size with BUDGETS below and exits 1
 * when one is exceeded (`npm test` runs it through `npm run size:check`).
 *
 * The FESM is in Angular's partial-compilation format; before bundling it goes
 * through @angular/build's JavaScriptTransformer (the linker plus the pure/static
 * member annotations an application build applies to packages), so tree-shaking
 * works as it does in `ng build` of an app.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fesm = join(root, 'dist/ngx-realtime-signals/fesm2022/ngx-realtime-signals.mjs');
if (process.argv.includes('--build')) {
  const ng = join(root, 'node_modules/@angular/cli/bin/ng.js');
  const built = spawnSync(process.execPath, [ng, 'build', 'ngx-realtime-signals'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) {
    process.stderr.write(`${built.stdout ?? ''}${built.stderr ?? ''}${built.error ?? ''}\n`);
    console.error('bundle size: building ngx-realtime-signals failed');
    process.exit(1);
  }
}
if (!existsSync(fesm)) {
  console.error(`Missing ${fesm}: run "npx ng build ngx-realtime-signals" first.`);
  process.exit(1);
}

// esbuild ships with @angular/build; prefer the copy it resolves to.
const require = createRequire(join(root, 'node_modules/@angular/build/package.json'));
const esbuild = await import(require.resolve('esbuild'));
const { JavaScriptTransformer } = require('@angular/build/private');

const transformer = new JavaScriptTransformer({ sourcemap: false, advancedOptimizations: true }, 1);
const linked = Buffer.from(await transformer.transformFile(fesm, false, false)).toString('utf8');
await transformer.close();

const entries = {
  'everything (export *)': `export * from 'ngx-realtime-signals';`,
  'provideRealtime only': `export { provideRealtime } from 'ngx-realtime-signals';`,
  NotificationService: `export { provideRealtime, NotificationService } from 'ngx-realtime-signals';`,
  LongPollService: `export { provideRealtime, LongPollService } from 'ngx-realtime-signals';`,
  ChatService: `export { provideRealtime, ChatService } from 'ngx-realtime-signals';`,
  'all three services': `export { provideRealtime, NotificationService, LongPollService, ChatService } from 'ngx-realtime-signals';`,
  'all three services + withTabSharing': `export { provideRealtime, NotificationService, LongPollService, ChatService, withTabSharing } from 'ngx-realtime-signals';`,
};

/**
 * Minified + gzip budgets in bytes. The goals are 3.5 KB per service and 6 KB for
 * the three together; rows that do not reach them yet are budgeted at their
 * measured size rounded up slightly, so any growth fails (see docs/BENCHMARKS.md). The transport
 * fallback (chat over SSE / long poll + POST, notifications over long poll, the race, memory and
 * re-probe, and `withTransports` validation) raised them once; NotificationService again when the
 * SSE transport went back to the maintained eventsource-parser. Measuring as a production build
 * does, and checking the app's setup in development only, lowered them all.
 */
export const BUDGETS = {
  // tab sharing (election, relay, hub) is in here; an app pays for it only when it calls withTabSharing()
  'everything (export *)': 26300,
  'provideRealtime only': 1050,
  NotificationService: 10250,
  LongPollService: 5700,
  ChatService: 13550,
  'all three services': 17550,
  'all three services + withTabSharing': 25950,
};

const external = ['@angular/*', 'rxjs', 'rxjs/*'];

/**
 * The globals @angular/build's application builder defines for an optimized browser build
 * (application-code-bundle.js and the compiler plugin, @angular/build 21.2): without them the
 * linked FESM keeps its dev-only class metadata and every `ngDevMode` branch, which an app
 * never ships.
 */
const productionDefines = {
  ngDevMode: 'false',
  ngJitMode: 'false',
  ngI18nClosureMode: 'false',
  ngServerMode: 'false',
  ngHmrMode: 'false',
};

/** Points the package name at the built FESM, as an app resolving the published package would. */
const libraryAlias = {
  name: 'library-alias',
  setup(build) {
    build.onResolve({ filter: /^ngx-realtime-signals$/ }, () => ({ path: fesm, namespace: 'linked' }));
    build.onLoad({ filter: /.*/, namespace: 'linked' }, () => ({ contents: linked, loader: 'js', resolveDir: dirname(fesm) }));
  },
};

async function measure(contents) {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external,
    plugins: [libraryAlias],
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
    // What `ng build` (production, browser) of an app defines and marks pure: dev-only code
    // behind `typeof ngDevMode === 'undefined' || ngDevMode` is dropped, as it is in the app.
    define: productionDefines,
    pure: ['forwardRef'],
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const rows = [];
for (const [name, contents] of Object.entries(entries)) rows.push({ name, ...(await measure(contents)) });

const over = rows.filter((r) => r.gzip > BUDGETS[r.name]);

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ date: new Date().toISOString(), esbuild: esbuild.version, rows }, null, 2));
} else {
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`esbuild ${esbuild.version}, ${new Date().toISOString()}`);
  console.log('| entry | minified | minified + gzip | budget (gzip) |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${kb(r.minified)} (${r.minified} B) | ${kb(r.gzip)} (${r.gzip} B) | ${BUDGETS[r.name]} B |`);
  }
}
if (process.argv.includes('--check')) {
  for (const r of over) console.error(`bundle size: "${r.name}" is ${r.gzip} B min+gzip, over its budget of ${BUDGETS[r.name]} B`);
  if (over.length > 0) process.exit(1);
  console.log(`bundle size: ${rows.length} entries within budget`);
}
