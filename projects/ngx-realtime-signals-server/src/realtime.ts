import type http from 'node:http';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { apiGuard } from './api-guard.js';
import { identityOf, publishAccess, readAccess, requireToken, streamDeadline } from './auth/http-auth.js';
import { createTokenVerifier } from './auth/token-verifier.js';
import { errorHandler } from './error-handler.js';
import { ApiError, sendError } from './errors.js';
import { checkEventType } from './event-type.js';
import { compileTrust, ConnectionLimiter, HttpRateLimiter, resolveClientIp } from './limits.js';
import type { EventLog, LogStatus, LoggedEvent } from './log/event-log.js';
import { MemoryEventLog } from './log/memory-log.js';
import { defaultLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { resolveOptions, type RealtimeOptions, type RealtimeSettings } from './options.js';
import { isValidTopic } from './topic.js';
import { type ChatIdentity, createChatServer } from './transports/chat.js';
import { chatFrameHandlers } from './transports/chat-frame-post.js';
import { type ConnectionCounts, healthHandler, readyHandler } from './transports/health.js';
import { createLongPollTransport } from './transports/long-poll.js';
import { createPublishHandlers } from './transports/publish.js';
import { createSseTransport } from './transports/sse.js';
import { routeUpgrades, upgradeRouting } from './upgrade-routing.js';

/** One realtime endpoint set: SSE, long poll, publish and health on `router`, chat on the attached server. */
export interface Realtime {
  /** The validated base path; mount `router` there (directly or through nested routers). */
  readonly basePath: string;
  /** `GET events/:topic`, `GET poll/:topic`, `POST topics/:topic/events`, `GET health`, `GET health/ready`, relative to the mount point. */
  readonly router: Router;
  /** Every setting with its default filled in. */
  readonly settings: RealtimeSettings;
  /** The event log behind every transport. */
  readonly log: EventLog;
  /** The Prometheus metrics (in the `registry` option, or `metrics.registry` of the instance's own). */
  readonly metrics: Metrics;
  /**
   * Handles WebSocket chat upgrades at `${basePath}/chat` on `server`. Several instances may
   * attach to one server (each at its own path). Returns the instance.
   */
  attach(server: http.Server): Realtime;
  /**
   * Appends an event from server code (no HTTP, no auth check) and delivers it to every
   * subscriber of `topic`. Resolves with the logged event; rejects with an ApiError
   * (`invalid_topic`, `invalid_type`, `reserved_type`, `invalid_body`, `shutting_down`) when it cannot,
   * or with LogUnavailableError when the log's store (Redis) cannot be reached: nothing was appended.
   */
  publish<T = unknown>(topic: string, type: string, data?: T): Promise<LoggedEvent>;
  /** Open connections per transport, as `GET health` reports them. */
  connectionCounts(): ConnectionCounts;
  /**
   * Graceful: answers new requests and upgrades with 503, ends SSE streams (clients resume with
   * their cursor elsewhere), answers held polls, closes chat sockets with 1001 (cutting off peers
   * that do not answer after `shutdownGraceMs`), then closes the log it owns. The http.Server stays
   * the app's to close. Idempotent.
   */
  close(): Promise<void>;
}

const ROUTES = [
  { path: '/topics/:topic/events', allow: 'POST' },
  { path: '/events/:topic', allow: 'GET' },
  { path: '/poll/:topic', allow: 'GET' },
  { path: '/health', allow: 'GET' },
  { path: '/health/ready', allow: 'GET' },
  { path: '/chat', allow: 'GET' },
  { path: '/chat/events', allow: 'GET' },
  { path: '/chat/poll', allow: 'GET' },
  { path: '/chat/sessions/:connectionId', allow: 'POST' },
] as const;

/**
 * Creates the realtime transports of docs/PROTOCOL.md for an Express 5 app.
 * Throws RealtimeOptionsError naming the option when an option is unusable.
 *
 * @example
 * const app = express();
 * const realtime = createRealtime({ basePath: '/api' });
 * app.use(realtime.basePath, realtime.router);
 * const server = app.listen(3000);
 * realtime.attach(server);
 * await realtime.publish('user:42', 'order.shipped', { orderId: 7 });
 */
export function createRealtime(options: RealtimeOptions): Realtime {
  const { settings: config, collaborators } = resolveOptions(options);
  const logger: Logger = collaborators.logger ?? defaultLogger();
  const ownsLog = collaborators.log === undefined;
  const log = collaborators.log ?? new MemoryEventLog({ historyLimit: config.historyLimit });
  const metrics = createMetrics({ registry: collaborators.registry, prefix: collaborators.metricsPrefix, defaultMetrics: false });
  const logStatus = (): LogStatus => log.status?.() ?? { kind: 'external', state: 'ok' };
  metrics.observeLog(logStatus);
  const connections = new ConnectionLimiter(config.maxConnectionsPerIp);
  const rate = new HttpRateLimiter(config.httpRateLimit, config.httpRateWindowMs);
  const deps = { log, config, logger, metrics, connections };
  const sse = createSseTransport(deps);
  const poll = createLongPollTransport(deps);
  const chat = createChatServer({ log, config, logger, metrics, connections });
  const verifier = createTokenVerifier(config);
  // Chat over SSE and long poll counts with its transport.
  const connectionCounts = (): ConnectionCounts => ({
    sse: sse.connectionCount() + chat.httpConnectionCounts().sse,
    longPoll: poll.connectionCount() + chat.httpConnectionCounts().longPoll,
    websocket: chat.connectionCount(),
  });
  metrics.countConnections('sse', () => sse.connectionCount() + chat.httpConnectionCounts().sse);
  metrics.countConnections('long_poll', () => poll.connectionCount() + chat.httpConnectionCounts().longPoll);
  metrics.countConnections('websocket', () => chat.connectionCount());
  const chatPath = `${config.basePath === '/' ? '' : config.basePath}/chat`;
  const attached = new Set<http.Server>();
  let shuttingDown = false;
  let closing: Promise<void> | undefined;

  const trust = compileTrust(config.trustProxy);
  const router = express.Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    resolveClientIp(req, trust);
    if (shuttingDown) {
      res.setHeader('Connection', 'close');
      throw new ApiError('shutting_down');
    }
    next();
  });
  router.use(apiGuard(config, rate));
  // Auth comes after the rate limit, so guessing tokens is rate-limited too.
  if (verifier) router.use(requireToken(verifier, metrics, config.authRealm));
  if (config.publishEndpoint) {
    router.post('/topics/:topic/events', publishAccess(metrics, config.authRealm), ...createPublishHandlers(deps));
  } else {
    router.post('/topics/:topic/events', () => {
      throw new ApiError(
        'forbidden',
        'The HTTP publish endpoint is off: set authSecret (then it needs a token with the "publish" scope) or publishEndpoint: true.',
      );
    });
  }
  router.get('/events/:topic', readAccess(metrics, config.authRealm), (req, res) =>
    sse.handle(req, res, streamDeadline(res, metrics, config.authRealm)),
  );
  router.get('/poll/:topic', readAccess(metrics, config.authRealm), (req, res) => poll.handle(req, res));
  router.get('/health', healthHandler(connectionCounts, logStatus));
  router.get('/health/ready', readyHandler(logStatus));
  router.get('/chat', () => {
    throw new ApiError('upgrade_required');
  });
  // Chat without WebSocket: frames down an SSE stream or long polls, client frames up by POST.
  router.get('/chat/events', (req, res) => {
    const deadline = streamDeadline(res, metrics, config.authRealm);
    return chat.openStream(req, res, chatIdentity(res, deadline));
  });
  router.get('/chat/poll', (req, res) => chat.poll(req, res, chatIdentity(res, streamDeadline(res, metrics, config.authRealm))));
  router.post('/chat/sessions/:connectionId', ...chatFrameHandlers(config, async (req, res) => {
    await chat.receive(String(req.params['connectionId']), req.body as string, chatIdentity(res, null));
    res.status(204).end();
  }));
  for (const route of ROUTES) {
    router.all(route.path, (_req: Request, res: Response) => {
      res.setHeader('Allow', route.allow);
      sendError(res, 'method_not_allowed');
    });
  }
  // Errors of the routes above answer as JSON here, whatever error handler the app has; other paths fall through.
  router.use(errorHandler(logger));

  const upgrade = upgradeRouting({
    config,
    rate,
    connections,
    chat,
    isShuttingDown: () => shuttingDown,
    verifier,
    metrics,
    logger,
    realm: config.authRealm,
  });

  const realtime: Realtime = {
    basePath: config.basePath,
    router,
    settings: config,
    log,
    metrics,
    attach(server) {
      if (attached.has(server)) return realtime;
      routeUpgrades(server, { path: chatPath, handle: upgrade, isShuttingDown: () => shuttingDown });
      attached.add(server);
      return realtime;
    },
    async publish(topic, type, data) {
      if (shuttingDown) throw new ApiError('shutting_down');
      if (!isValidTopic(topic)) throw new ApiError('invalid_topic');
      const typeCheck = checkEventType(type);
      if (typeCheck !== 'ok') throw new ApiError(typeCheck);
      if (topic.startsWith('chat:') && type === 'message') {
        throw new ApiError('reserved_type', 'Events of type "message" in chat topics are written by the chat server only.');
      }
      const event = await log.append(topic, type, snapshot(data));
      metrics.eventsPublished.inc();
      return event;
    },
    connectionCounts,
    close() {
      closing ??= shutDown();
      return closing;
    },
  };
  return realtime;

  async function shutDown(): Promise<void> {
    shuttingDown = true;
    sse.close();
    poll.close();
    await chat.close().catch((error: unknown) => logger.warn({ err: error }, 'chat close failed'));
    if (ownsLog) await log.close();
  }
}

/** The caller as a chat user (auth on), its connection ending at `deadline` (the token's exp) when given. */
function chatIdentity(res: Response, deadline: number | null): ChatIdentity | null {
  const identity = identityOf(res);
  return identity === null ? null : { user: identity.sub, expiresAtMs: deadline ?? identity.expiresAtMs };
}

/**
 * What every transport would deliver: the JSON value of `data` (undefined is null), copied so a
 * later change to the caller's object cannot change the logged event.
 */
function snapshot(data: unknown): unknown {
  if (data === undefined) return null;
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw new ApiError('invalid_body', `data must be JSON-serialisable: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (json === undefined) throw new ApiError('invalid_body', 'data must be JSON-serialisable, got a function or symbol.');
  return JSON.parse(json) as unknown;
}
