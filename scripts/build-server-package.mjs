// Builds ngx-realtime-signals-server (ESM + .d.ts) into projects/ngx-realtime-signals-server/dist,
// the folder its package.json points at, so both `npm pack` there and the workspace's own
// `import 'ngx-realtime-signals-server'` (demo-server) use the same build.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'projects/ngx-realtime-signals-server');

rmSync(join(pkg, 'dist'), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(pkg, 'tsconfig.json')], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// `npm install` links the workspace dependency `file:projects/ngx-realtime-signals-server`; a
// node_modules installed before that dependency existed lacks the link, so make it here.
const link = join(root, 'node_modules/ngx-realtime-signals-server');
let linked = false;
try {
  linked = lstatSync(link).isSymbolicLink() || existsSync(join(link, 'package.json'));
} catch {
  linked = false;
}
if (!linked) {
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(relative(dirname(link), pkg), link, 'dir');
  console.log('build-server-package: linked node_modules/ngx-realtime-signals-server (run npm install to record it)');
}
console.log(`build-server-package: ${relative(root, join(pkg, 'dist'))}`);
