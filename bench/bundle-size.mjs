#!/usr/bin/env node
/**
 * What the library costs an application: bundles the built FESM (dist/) with
 * esbuild, minified, Angular/rxjs external (the app has them anyway), once for
 * everything and once per service through an entry that imports only that
 * service plus provideRealtime, so tree-shaking shows each service's share.
 *
 *   npx ng build ngx-realtime-signals && node bench/bundle-size.mjs [--json]
 *
 * The FESM is in Angular's partial-compilation format; before bundling it goes
 * through @angular/build's JavaScriptTransformer (the linker plus the pure/static
 * member annotations an application build applies to packages), so tree-shaking
 * works as it does in `ng build` of an app.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fesm = join(root, 'dist/ngx-realtime-signals/fesm2022/ngx-realtime-signals.mjs');
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
};

const external = ['@angular/*', 'rxjs', 'rxjs/*'];

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
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const rows = [];
for (const [name, contents] of Object.entries(entries)) rows.push({ name, ...(await measure(contents)) });

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ date: new Date().toISOString(), esbuild: esbuild.version, rows }, null, 2));
} else {
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`esbuild ${esbuild.version}, ${new Date().toISOString()}`);
  console.log('| entry | minified | minified + gzip |');
  console.log('|---|---:|---:|');
  for (const r of rows) console.log(`| ${r.name} | ${kb(r.minified)} (${r.minified} B) | ${kb(r.gzip)} (${r.gzip} B) |`);
}
