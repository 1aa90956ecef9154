import { setTimeout as sleep } from 'node:timers/promises';
import { createDemoServer } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { RedisEventLog } from 'ngx-realtime-signals-server';
import { startScenario } from './scenario';

const REDIS_START_WAIT_MS = 5000;

/** Start-up: validate the configuration, listen, and shut down gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`demo-server: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const server = createDemoServer(config, { logger });
  if (server.log instanceof RedisEventLog) {
    // Serve even if Redis is not up yet (health says degraded until it is), but give it a moment first.
    const connected = await Promise.race([server.log.ready().then(() => true), sleep(REDIS_START_WAIT_MS, false)]);
    if (!connected) logger.warn({ waitedMs: REDIS_START_WAIT_MS }, 'redis is not reachable yet; serving degraded while it reconnects');
  }
  const url = await server.listen(config.port, config.host);
  const scenario = config.demoScenario ? startScenario(server.log, { logger }) : undefined;
  logger.info(
    {
      url,
      staticDir: config.staticDir,
      demoScenario: config.demoScenario,
      auth: config.authSecret === null ? 'off' : 'hs256',
      log: server.log.status?.().kind ?? 'external',
    },
    'demo-server listening',
  );
  process.stdout.write(`demo-server listening on ${url}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second Ctrl-C means "now".
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    scenario?.stop();
    // close() force-closes connections at the grace period; this is the backstop if anything still hangs.
    setTimeout(() => process.exit(1), config.shutdownGraceMs + 250).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo-server: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
