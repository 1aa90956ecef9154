const { spawnSync } = require('node:child_process');
const path = require('node:path');

/**
 * Tests against a real Redis (files named `*.redis.*spec.ts`) need one at REDIS_TEST_URL
 * (default redis://127.0.0.1:6379). Without one they are left out of the run with a
 * one-line reason, except under CI=true, where they run and fail.
 */
function redisTestsIgnored() {
  const url = process.env.REDIS_TEST_URL || 'redis://127.0.0.1:6379';
  const probe = spawnSync(process.execPath, [path.join(__dirname, 'scripts/redis-probe.cjs')], { timeout: 5000 });
  if (probe.status === 0) return [];
  if (process.env.CI === 'true') {
    process.stderr.write(`Redis tests: no Redis answers at ${url}; CI=true, so they run and fail.\n`);
    return [];
  }
  process.stderr.write(`Redis tests skipped: no Redis answers at ${url} (start redis-server, or set REDIS_TEST_URL).\n`);
  return ['\\.redis\\.'];
}

const ignoreRedis = redisTestsIgnored();
const withRedisRule = (project) => ({
  ...project,
  testPathIgnorePatterns: [...(project.testPathIgnorePatterns ?? ['/node_modules/']), ...ignoreRedis],
});

/**
 * One `jest` run covers every project in the workspace; each project keeps
 * its own environment (jsdom for Angular code, node for servers and sockets).
 */
module.exports = {
  // A global option: per-project values are ignored in a multi-project run. Socket
  // tests wait for real events on a shared, busy machine, so the default 5 s is too tight.
  testTimeout: 30000,
  projects: [
    ...require('./projects/ngx-realtime-signals/jest.config.js'),
    require('./demo-server/jest.config.js'),
    require('./projects/ngx-realtime-signals-server/jest.config.cjs'),
    require('./projects/ngx-realtime-signals/schematics/jest.config.js'),
    require('./ops/jest.config.cjs'),
  ].map(withRedisRule),
};
