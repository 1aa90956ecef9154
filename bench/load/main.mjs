// `node bench/load/main.mjs [--quick] [--only=idle-sse,fanout-ws,...] [--repeat=N]`
// (--only=idle-sse-19000 / idle-ws-19000 probe the file-descriptor ceiling and --only=soak-mixed holds 5,000 + 5,000
// for a minute; they are not in the default run)
// Runs the demo-server load scenarios one after another, each against its own server child process,
// prints a summary and writes the raw figures to bench/results/.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execSync } from 'node:child_process';
import { fanoutSse, fanoutWebSocket } from './fanout.mjs';
import { idleSse, idleWebSocket } from './idle.mjs';
import { presenceStorm } from './presence.mjs';
import { killAllServers, repoRoot, unexpectedExits } from './server-child.mjs';
import { slowConsumer } from './slow-consumer.mjs';
import { soakMixed } from './soak.mjs';
import { summarize } from './summary.mjs';

const FULL = {
  'idle-sse': () => idleSse({ count: 10_000 }),
  'idle-ws': () => idleWebSocket({ count: 10_000 }),
  'fanout-sse': () => fanoutSse({ sizes: [1000, 5000, 10_000] }),
  'fanout-ws': () => fanoutWebSocket({ sizes: [1000, 5000, 10_000] }),
  'presence-1000': () => presenceStorm({ count: 1000 }),
  'presence-5000': () => presenceStorm({ count: 5000 }),
  'slow-consumer': () => slowConsumer({ healthyCount: 1000 }),
};

/**
 * Not in the default run: near the ceiling a process may hold (hard open-file limit 20,000 for the
 * server and for this generator alike, less a few for stdio, the listener and the event loop).
 */
const EXTRA = {
  'idle-sse-19000': () => idleSse({ count: 19_000 }),
  'idle-ws-19000': () => idleWebSocket({ count: 19_000 }),
  'soak-mixed': () => soakMixed({ sse: 5000, websocket: 5000, holdMs: 65_000 }),
};

/** Same shapes, small numbers: checks that the scenarios work in a few seconds. */
const QUICK = {
  'idle-sse': () => idleSse({ count: 300 }),
  'idle-ws': () => idleWebSocket({ count: 300 }),
  'fanout-sse': () => fanoutSse({ sizes: [100, 300] }),
  'fanout-ws': () => fanoutWebSocket({ sizes: [100, 300] }),
  'presence-1000': () => presenceStorm({ count: 100 }),
  'presence-5000': () => presenceStorm({ count: 500 }),
  'slow-consumer': () => slowConsumer({ healthyCount: 50 }),
  'soak-mixed': () => soakMixed({ sse: 100, websocket: 100, holdMs: 3000 }),
};

/** File descriptors the heaviest scenario needs in this process (the server child needs as many of its own). */
const FDS_NEEDED = 10_500;

function openFileLimit() {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  return match?.[1] === 'unlimited' ? Infinity : Number(match?.[1] ?? 1024);
}

function machine() {
  const gitCommit = (() => {
    try {
      const head = execSync('git rev-parse --short HEAD', { cwd: repoRoot }).toString().trim();
      // The server is compiled from the working tree: say so when it differs from the commit.
      const dirty = execSync('git status --porcelain -- demo-server/src projects/ngx-realtime-signals-server/src', { cwd: repoRoot }).toString().trim() !== '';
      return dirty ? `${head} (+ uncommitted server changes)` : head;
    } catch {
      return 'unknown';
    }
  })();
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    openFileLimit: openFileLimit(),
    gitCommit,
  };
}

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
  const repeat = Number(args.find((arg) => arg.startsWith('--repeat='))?.slice('--repeat='.length) ?? 1);
  const scenarios = quick ? QUICK : { ...FULL, ...EXTRA };
  const names = only ?? Object.keys(quick ? QUICK : FULL).filter((name) => !name.startsWith('soak'));
  for (const name of names) if (!scenarios[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
  const fdsNeeded = names.some((name) => EXTRA[name]) ? 19_100 : FDS_NEEDED;
  if (!quick && openFileLimit() < fdsNeeded) {
    throw new Error(`open file limit is ${openFileLimit()}, these scenarios need ${fdsNeeded}: run \`ulimit -n 20000\` first (npm run bench does)`);
  }

  const info = machine();
  console.log(`load bench ${quick ? '(quick) ' : ''}on ${info.nproc} cores, node ${info.node}, commit ${info.gitCommit}`);
  const runs = {};
  for (let round = 1; round <= repeat; round++) {
    for (const name of names) {
      const started = Date.now();
      process.stdout.write(`  ${name}${repeat > 1 ? ` (run ${round}/${repeat})` : ''} ... `);
      const result = await scenarios[name]();
      console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
      (runs[name] ??= []).push(result);
    }
  }

  const report = { machine: info, quick, repeat, runs };
  const summary = summarize(report);
  console.log(`\n${summary}`);
  const dir = path.join(repoRoot, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const stamp = info.date.replace(/[:.]/g, '-');
  writeFileSync(path.join(dir, `load-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(dir, `load-${stamp}.md`), `${summary}\n`);
  console.log(`raw figures: bench/results/load-${stamp}.json`);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAllServers();
    process.exit(130);
  });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`\nload bench failed: ${error.stack ?? error}`);
    for (const exit of unexpectedExits) {
      console.error(`demo-server ${exit.pid} exited on its own (${exit.code ?? exit.signal}); its stderr:\n${exit.stderr}`);
    }
    killAllServers();
    process.exit(1);
  },
);
