import http from 'node:http';
import type stream from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from './config';
import { apiGuard } from './api-guard';
import { publishAccess, readAccess, requireToken, streamDeadline } from './auth/http-auth';
import { createTokenVerifier } from './auth/token-verifier';
import { errorHandler } from './error-handler';
import { ApiError, sendError } from './errors';
import { ConnectionLimiter, HttpRateLimiter } from './limits';
import type { EventLog } from './log/event-log';
import { MemoryEventLog } from './log/memory-log';
import { RedisEventLog } from './log/redis-log';
import { createLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { requestLog } from './request-log';
import { staticSite } from './static-site';
import { createChatServer } from './transports/chat';
import { healthHandler, metricsHandler } from './transports/health';
import { createLongPollTransport } from './transports/long-poll';
import { createPublishHandlers } from './transports/publish';
import { createSseTransport } from './transports/sse';
import { CHAT_PATH, upgradeRouting } from './upgrade-routing';

export interface DemoServer {
  /** Starts listening; resolves with the base URL (a wildcard host is reported as 127.0.0.1). */
  listen(port?: number, host?: string): Promise<string>;
  /** Graceful: stops accepting, ends SSE streams, answers held polls, closes chat with 1001; force-closes after SHUTDOWN_GRACE_MS. */
  close(): Promise<void>;
  readonly http: http.Server;
  readonly log: EventLog;
  readonly config: Config;
  readonly metrics: Metrics;
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
  const metrics = createMetrics();
  metrics.observeLog(() => log.status());
  const connections = new ConnectionLimiter(config.maxConnectionsPerIp);
  const rate = new HttpRateLimiter(config.httpRateLimit, config.httpRateWindowMs);
  const deps = { log, config, logger, metrics, connections };
  const sse = createSseTransport(deps);
  const poll = createLongPollTransport(deps);
  const chat = createChatServer({ log, config, logger, metrics });
  const verifier = createTokenVerifier(config);
  metrics.countConnections('sse', () => sse.connectionCount());
  metrics.countConnections('long_poll', () => poll.connectionCount());
  metrics.countConnections('websocket', () => chat.connectionCount());
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
  app.use('/api', apiGuard(config, rate));
  // Auth comes after the rate limit, so guessing tokens is rate-limited too.
  if (verifier) app.use('/api', requireToken(verifier, metrics));

  app.post('/api/topics/:topic/events', publishAccess(metrics), ...createPublishHandlers(deps));
  app.get('/api/events/:topic', readAccess(metrics), (req, res) => sse.handle(req, res, streamDeadline(res, metrics)));
  app.get('/api/poll/:topic', readAccess(metrics), (req, res) => poll.handle(req, res));
  app.get(
    '/api/health',
    healthHandler(
      () => ({ sse: sse.connectionCount(), longPoll: poll.connectionCount(), websocket: chat.connectionCount() }),
      () => log.status(),
    ),
  );
  app.get(CHAT_PATH, () => {
    throw new ApiError('upgrade_required');
  });
  for (const route of ['/api/topics/:topic/events', '/api/events/:topic', '/api/poll/:topic', '/api/health', CHAT_PATH]) {
    app.all(route, (req: Request, res: Response) => {
      res.setHeader('Allow', route.startsWith('/api/topics/') ? 'POST' : 'GET');
      sendError(res, 'method_not_allowed');
    });
  }
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
  server.on(
    'upgrade',
    upgradeRouting({ config, rate, connections, chat, isShuttingDown: () => shuttingDown, verifier, metrics, logger }),
  );

  let closing: Promise<void> | undefined;

  async function close(): Promise<void> {
    shuttingDown = true;
    const closed = new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
    sse.close();
    poll.close();
    const chatClosed = chat.close().catch((error: unknown) => logger.warn({ err: error }, 'chat close failed'));
    // Connections that finished their last response are idle now; keep sweeping until all are gone or time is up.
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      graceTimer = setTimeout(() => resolve('timeout'), config.shutdownGraceMs);
    });
    server.closeIdleConnections();
    const outcome = await Promise.race([Promise.all([closed, chatClosed]).then(() => 'closed' as const), grace]);
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
    listen(port = config.port, host = config.host) {
      return new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
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

/** The log `config` asks for: Redis Streams with REDIS_URL, else in memory. */
export function createEventLog(config: Config, logger: Logger): EventLog {
  if (config.redisUrl === null) return new MemoryEventLog({ historyLimit: config.historyLimit });
  return new RedisEventLog({
    url: config.redisUrl,
    historyLimit: config.historyLimit,
    keyPrefix: config.redisKeyPrefix,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    onLog: (level, message, error) => logger[level](error === undefined ? {} : { err: error }, message),
  });
}

function baseUrl(server: http.Server): string {
  const address = server.address();
  if (address === null || typeof address === 'string') return String(address);
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
