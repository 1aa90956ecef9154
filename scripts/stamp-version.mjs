// Writes the library's package.json version into the built package in place of
// VERSION's placeholder (src/version.ts), so VERSION always matches the release.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const placeholder = '0.0.0-PLACEHOLDER';
const { version } = JSON.parse(readFileSync(join(root, 'projects/ngx-realtime-signals/package.json'), 'utf8'));
const dir = join(root, 'dist/ngx-realtime-signals/fesm2022');

let stamped = 0;
for (const name of readdirSync(dir).filter((n) => n.endsWith('.mjs') || n.endsWith('.mjs.map'))) {
  const file = join(dir, name);
  const text = readFileSync(file, 'utf8');
  if (!text.includes(placeholder)) continue;
  writeFileSync(file, text.replaceAll(placeholder, version));
  if (name.endsWith('.mjs')) stamped++;
}
if (stamped === 0) {
  console.error(`stamp-version: no "${placeholder}" found in ${dir}; VERSION would not match package.json`);
  process.exit(1);
}
console.log(`stamp-version: VERSION = ${version} in ${stamped} bundle(s)`);
