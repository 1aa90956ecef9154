// `npm run bench [-- --quick] [-- --only=...]`: every benchmark of the project, one after another
// (--quick and --only=... are load-bench options and skip the bundle size, as does --load-only).
// The load bench needs the compiled demo-server and more open files than a shell allows by default,
// so it is built first and started under the hard file-descriptor limit.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const loadOnly = process.argv.includes('--load-only');
const args = process.argv.slice(2).filter((arg) => arg !== '--load-only');

function run(label, command, commandArgs) {
  console.log(`\n== ${label}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const failures = [];
const bundleSize = path.join(root, 'bench/bundle-size.mjs');
const skipBundle = loadOnly || args.includes('--quick') || args.some((arg) => arg.startsWith('--only='));
if (existsSync(bundleSize) && !skipBundle) {
  // Measure the library as it is now, not whatever dist/ last held.
  const ngCli = path.join(root, 'node_modules/@angular/cli/bin/ng.js');
  if (run('build ngx-realtime-signals', process.execPath, [ngCli, 'build', 'ngx-realtime-signals']) !== 0) {
    failures.push('build ngx-realtime-signals');
  } else if (run('bundle size', process.execPath, [bundleSize]) !== 0) {
    failures.push('bundle size');
  }
}

if (
  run('build ngx-realtime-signals-server', process.execPath, [path.join(root, 'scripts/build-server-package.mjs')]) !== 0 ||
  run('build demo-server', process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'demo-server/tsconfig.json']) !== 0
) {
  failures.push('build demo-server');
} else {
  // Raise the soft open-file limit to the hard one for the load generator and the server it starts.
  const load = ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0" bench/load/main.mjs "$@"', process.execPath, ...args];
  if (run('server load', '/bin/sh', load) !== 0) failures.push('server load');
}

if (failures.length > 0) {
  console.error(`\nbench failed: ${failures.join(', ')}`);
  process.exit(1);
}
