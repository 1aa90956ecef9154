// npm run cluster [-- --instances 3 --port 8080]
// Starts N Redis-backed demo-server instances on free loopback ports and HAProxy in front of
// them (round-robin, no stickiness, health checks on /api/health/ready, X-Forwarded-For trusted
// from that one hop), prints the URL, and stops
// everything on Ctrl-C. REDIS_URL (default redis://127.0.0.1:6379) is passed to every instance.
import { parseArgs } from 'node:util';
import {
  demoInstance,
  findBinary,
  freePort,
  getJson,
  MissingBinaryError,
  redisPing,
  requireBinary,
  startHaproxy,
  STATIC_DIR,
} from './support/processes.mjs';
import { existsSync } from 'node:fs';
import path from 'node:path';

const USAGE = `usage: npm run cluster [-- --instances N] [-- --port P]
  --instances N   demo-server instances behind HAProxy (default 3)
  --port P        HAProxy's port on 127.0.0.1 (default: a free port)
  REDIS_URL       the Redis every instance shares (default redis://127.0.0.1:6379)
  Other demo-server settings (HISTORY_LIMIT, SSE_HEARTBEAT_MS, ...) pass through from the environment.`;

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      options: { instances: { type: 'string', default: '3' }, port: { type: 'string', default: '0' }, help: { type: 'boolean' } },
    }));
  } catch (error) {
    fail(`${error.message}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const instances = Number(values.instances);
  const port = Number(values.port);
  if (!Number.isInteger(instances) || instances < 1 || instances > 32) fail(`--instances must be an integer 1..32, got ${values.instances}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, got ${values.port}`);
  return { instances, port };
}

function fail(message) {
  console.error(`cluster: ${message}`);
  process.exit(1);
}

async function main() {
  const { instances: count, port } = options();
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  try {
    requireBinary('haproxy');
  } catch (error) {
    if (error instanceof MissingBinaryError) fail(error.message);
    throw error;
  }
  if (!(await redisPing(redisUrl))) {
    const hint = findBinary('redis-server')
      ? `start one with: redis-server --daemonize yes --bind 127.0.0.1 --port ${new URL(redisUrl).port || 6379} --save "" --appendonly no`
      : 'redis-server is not installed; install it with: apt-get install -y redis-server (Debian/Ubuntu) or brew install redis (macOS)';
    fail(`no Redis answers at ${redisUrl}; ${hint} (or point REDIS_URL at one)`);
  }
  if (!existsSync(path.join(STATIC_DIR, 'index.html'))) {
    console.warn(`cluster: ${STATIC_DIR} is missing, so / serves no demo app (npm run build builds it); the API works.`);
  }

  const instances = [];
  for (let i = 0; i < count; i++) {
    // Only the first instance plays the demo scenario: with a shared log every page sees its events once.
    const instance = demoInstance({
      name: `rt${i + 1}`,
      port: await freePort(),
      env: { REDIS_URL: redisUrl, DEMO_SCENARIO: process.env.DEMO_SCENARIO ?? (i === 0 ? 'on' : 'off'), LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
    });
    instances.push(instance);
  }
  await Promise.all(instances.map((instance) => instance.start()));
  const haproxy = await startHaproxy({ port: port || (await freePort()), backends: instances });

  const health = await Promise.all(instances.map((instance) => getJson(`${instance.url}/api/health`)));
  console.log(`\nHAProxy (round-robin, no stickiness) on ${haproxy.url}  <- open this`);
  instances.forEach((instance, i) => {
    console.log(`  ${instance.name}  ${instance.url}  pid ${instance.pid}  log ${health[i]?.body?.log ?? 'unknown'}`);
  });
  console.log(`  Redis ${redisUrl}   HAProxy config ${haproxy.configFile}`);
  if (health.some((h) => h?.body?.log !== 'redis')) {
    console.warn('  warning: an instance reports a log other than "redis": this demo-server keeps events in memory,' +
      ' so instances do not share events.');
  }
  console.log('Ctrl-C stops everything.');

  for (const instance of instances) {
    instance.exited().then(({ code, signal }) => {
      if (!stopping) console.warn(`cluster: ${instance.name} exited (${code ?? signal}); HAProxy sends its traffic to the others`);
    });
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log('\nstopping HAProxy and the instances...');
    await haproxy.stop();
    await Promise.all(instances.map((instance) => instance.kill('SIGTERM')));
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => fail(error.stack ?? String(error)));
