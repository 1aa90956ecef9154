// Adds package-lock.json entries for platform-specific optional packages that
// the registry we install from does not carry (it serves Linux builds only).
// `npm install` skips such a package silently, but `npm ci` refuses a lock that
// lacks it ("Missing: ... from lock file"), on every machine. Each added entry
// names its os/cpu/libc, so npm skips it wherever the platform does not match
// and installs it from the public registry where it does.
//
// Run after any change to dependencies:  npm install && node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const OSES = ['aix', 'android', 'darwin', 'freebsd', 'linux', 'netbsd', 'openbsd', 'openharmony', 'sunos', 'win32'];
const CPUS = ['arm', 'arm64', 'ia32', 'loong64', 'mips64el', 'ppc64', 'riscv64', 's390x', 'x64'];

/** `@rollup/rollup-linux-arm-musleabihf` -> { os: ['linux'], cpu: ['arm'], libc: ['musl'] } */
function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((part) => OSES.includes(part));
  const cpu = parts.find((part) => CPUS.includes(part));
  if (!os || !cpu) return null;
  const platform = { cpu: [cpu], os: [os] };
  if (os === 'linux') {
    if (parts.some((part) => part.startsWith('musl'))) platform.libc = ['musl'];
    else if (parts.some((part) => part.startsWith('gnu'))) platform.libc = ['glibc'];
  }
  return platform;
}

/** Where npm resolves `dep` from the package at `from` (its own node_modules, then each ancestor's). */
function resolves(packages, from, dep) {
  let base = from;
  for (;;) {
    if (packages[`${base ? `${base}/` : ''}node_modules/${dep}`]) return true;
    if (!base) return false;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut < 0 ? '' : base.slice(0, cut);
  }
}

const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages;
const added = [];
const unknown = [];
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    if (resolves(packages, path, dep)) continue;
    const platform = platformOf(dep);
    if (!platform || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec)) {
      unknown.push(`${dep}@${spec} (optional dependency of ${path || 'the root'})`);
      continue;
    }
    const key = `node_modules/${dep}`;
    if (packages[key]) continue;
    packages[key] = { version: spec, ...(entry.dev ? { dev: true } : {}), optional: true, ...platform };
    added.push(`${dep}@${spec}`);
  }
}
if (unknown.length > 0) {
  console.error(`complete-lockfile: cannot tell the platform or exact version of:\n  ${unknown.join('\n  ')}`);
  process.exit(1);
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added.length} platform entries added${added.length ? `:\n  ${added.join('\n  ')}` : ''}`);
