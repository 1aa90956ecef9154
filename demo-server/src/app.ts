import http from 'node:http';
import type stream from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  ApiError,
  MemoryEventLog,
  RedisEventLog,
  createRealtime,
  errorHandler,
  metricsHandler,
  requestLog,
  type EventLog,
  type Logger,
  type Metrics,
  type Realtime,
} from 'ngx-realtime-signals-server';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { realtimeOptions, type Config } from './config';
import { createLogger } from './logger';
import { staticSite } from './static-site';

export interface DemoServer {
  /** Starts listening; resolves with the base URL (a wildcard host is reported as 127.0.0.1). */
  listen(port?: number, host?: string): Promise<string>;
  /** Graceful: stops accepting, ends SSE streams, answers held polls, closes chat with 1001; force-closes after SHUTDOWN_GRACE_MS. */
  close(): Promise<void>;
  readonly http: http.Server;
  readonly log: EventLog;
  readonly config: Config;
  readonly metrics: Metrics;
  /** The realtime transports, mounted at /api. */
  readonly realtime: Realtime;
}

export interface DemoServerOptions {
  /** A log owned by the caller (not closed by `close()`); default: a MemoryEventLog owned by the server. */
  log?: EventLog;
  logger?: Logger;
}

/**
 * Wires the event log, the HTTP transports, the chat upgrade and the demo app
 * into one http.Server.
 *
 * @example
 * const server = createDemoServer(loadConfig());
 * const url = await server.listen();
 * process.once('SIGTERM', () => server.close());
 */
export function createDemoServer(config: Config, opts: DemoServerOptions = {}): DemoServer {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const ownsLog = opts.log === undefined;
  const log = opts.log ?? createEventLog(config, logger);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // The demo keeps its publish endpoint open (the library's default is off without auth).
  const realtime = createRealtime({
    ...realtimeOptions(config),
    basePath: '/api',
    publishEndpoint: true,
    authRealm: 'demo-server',
    log,
    logger,
    registry,
  });
  const { metrics } = realtime;
  let shuttingDown = false;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (shuttingDown) {
      res.setHeader('Connection', 'close');
      throw new ApiError('shutting_down');
    }
    next();
  });

  app.use(requestLog(logger));
  app.use(realtime.basePath, realtime.router);
  app.get('/metrics', metricsHandler(metrics));
  app.use('/api', () => {
    throw new ApiError('not_found');
  });
  app.use(staticSite(config.staticDir));
  app.use(() => {
    throw new ApiError('not_found');
  });
  app.use(errorHandler(logger));

  const server = http.createServer(app);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: stream.Duplex) => {
    // A malformed request line or oversized headers: answer with a status line if the socket still can.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    socket.end(`HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  realtime.attach(server);

  let closing: Promise<void> | undefined;

  async function close(): Promise<void> {
    shuttingDown = true;
    const closed = new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
    // Ends SSE streams, answers held polls and closes chat with 1001.
    const realtimeClosed = realtime.close();
    // Connections that finished their last response are idle now; keep sweeping until all are gone or time is up.
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      graceTimer = setTimeout(() => resolve('timeout'), config.shutdownGraceMs);
    });
    server.closeIdleConnections();
    const outcome = await Promise.race([Promise.all([closed, realtimeClosed]).then(() => 'closed' as const), grace]);
    if (outcome === 'timeout') {
      logger.warn('shutdown grace period passed; closing the remaining connections');
      server.closeAllConnections();
      await closed;
    }
    clearInterval(sweep);
    clearTimeout(graceTimer);
    if (ownsLog) await log.close();
  }

  return {
    http: server,
    log,
    config,
    metrics,
    realtime,
    listen(port = config.port, host = config.host) {
      return new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port, host, backlog: config.listenBacklog }, () => {
          server.off('error', reject);
          resolve(baseUrl(server));
        });
      });
    },
    close() {
      closing ??= close();
      return closing;
    },
  };
}

function baseUrl(server: http.Server): string {
  const address = server.address();
  if (address === null || typeof address === 'string') return String(address);
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** The log `config` asks for: Redis Streams with REDIS_URL (any number of instances), else in memory. */
export function createEventLog(config: Config, logger: Logger): EventLog {
  if (config.redisUrl === null) return new MemoryEventLog({ historyLimit: config.historyLimit });
  return new RedisEventLog({
    url: config.redisUrl,
    historyLimit: config.historyLimit,
    keyPrefix: config.redisKeyPrefix,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    presenceTtlMs: config.presenceTtlMs,
    onLog: (level, message, error) => logger[level](error === undefined ? {} : { err: error }, message),
  });
}
