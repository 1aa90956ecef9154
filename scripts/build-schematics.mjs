#!/usr/bin/env node
// Compiles the schematics (ng-add, server) into the already built package (run after `ng build`,
// which empties dist/ngx-realtime-signals first).
//
// ng-packagr writes "type": "module" into the package, so the CommonJS schematic needs
// its own package.json, and ng-packagr's .npmignore (`**/package.json`) must let that
// one through, or `npm pack` drops it and `ng add` fails with "exports is not defined".
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'projects/ngx-realtime-signals/schematics');
const pkg = join(root, 'dist/ngx-realtime-signals');
const out = join(pkg, 'schematics');

if (!existsSync(join(pkg, 'package.json'))) {
  console.error(`build-schematics: ${pkg} is missing; run "ng build ngx-realtime-signals" first.`);
  process.exit(1);
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(source, 'tsconfig.json')], { stdio: 'inherit' });

const collection = JSON.parse(readFileSync(join(source, 'collection.json'), 'utf8'));
delete collection.$schema; // points into the workspace's node_modules
writeFileSync(join(out, 'collection.json'), JSON.stringify(collection, null, 2) + '\n');
for (const { schema } of Object.values(collection.schematics)) {
  if (schema) copyFileSync(join(source, schema), join(out, schema));
}
writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 2) + '\n');

const npmignore = join(pkg, '.npmignore');
const ignored = existsSync(npmignore) ? readFileSync(npmignore, 'utf8') : '';
if (!ignored.split(/\r?\n/).includes('!schematics/package.json')) {
  writeFileSync(npmignore, `${ignored.replace(/\n?$/, '\n')}!schematics/package.json\n`);
}

const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
if (manifest.schematics !== './schematics/collection.json') {
  console.error('build-schematics: the built package.json lacks "schematics": "./schematics/collection.json".');
  process.exit(1);
}
console.log(`build-schematics: compiled ${Object.keys(collection.schematics).join(', ')} into ${out}`);
