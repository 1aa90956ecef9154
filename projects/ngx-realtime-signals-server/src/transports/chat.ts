import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type stream from 'node:stream';
import type { Request, Response } from 'express';
import { WebSocketServer } from 'ws';
import { atTime } from '../at-time.js';
import type { RealtimeSettings } from '../options.js';
import { ApiError, ERRORS, rejectUpgrade, type ErrorCode } from '../errors.js';
import type { ConnectionLimiter } from '../limits.js';
import { clientIp } from '../limits.js';
import { integerParam } from '../request-params.js';
import type { RelayedAnswer, RelayedRequest } from '../log/chat-relay.js';
import type { EventLog } from '../log/event-log.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { ChatConnection, type ChatConnectionDeps } from './chat/chat-connection.js';
import { CLOSE_CODES } from './chat/chat-errors.js';
import { type ChatLink, WebSocketLink } from './chat/chat-link.js';
import type { ChatMetrics } from './chat/chat-metrics.js';
import { ChatRooms } from './chat/chat-rooms.js';
import { startHeartbeat } from './chat/heartbeat.js';
import { PollChatLink, SseChatLink } from './chat/http-chat-link.js';
import { SendDedupStore } from './chat/send-dedup.js';
import { userNameFromUrl } from './chat/user-name.js';

export interface ChatDeps {
  log: EventLog;
  config: RealtimeSettings;
  logger: Logger;
  metrics: Metrics;
  /** The per-IP connection limit HTTP chat connections count against (upgrades are counted by the upgrade routing). */
  connections: ConnectionLimiter;
}

/** The verified token of an upgrade (auth on). */
export interface ChatIdentity {
  /** Becomes `welcome.user` and `data.from`; the `name` query parameter is ignored. */
  readonly user: string;
  /** The token's `exp` in ms: the socket closes with 4401 "token expired" then. */
  readonly expiresAtMs: number;
}

export interface ChatServer {
  /**
   * Completes a WebSocket upgrade on `${basePath}/chat`; the upgrade routing has already checked the path, Origin, token and
   * per-IP limit. Without `identity` (auth off) the user is the `name` query parameter or a guest name.
   */
  handleUpgrade(req: http.IncomingMessage, socket: stream.Duplex, head: Buffer, identity?: ChatIdentity): void;
  /**
   * `GET chat/events`: a chat connection whose frames go down this SSE stream; the client posts
   * its frames to `chat/sessions/:connectionId`. Lives as long as the stream.
   */
  openStream(req: Request, res: Response, identity: ChatIdentity | null): Promise<void>;
  /**
   * `GET chat/poll`: without `connectionId`, opens a long-poll chat connection and answers its
   * welcome at once; with `connectionId` (and `after`, `timeout`), a poll for its next frames.
   */
  poll(req: Request, res: Response, identity: ChatIdentity | null): Promise<void>;
  /**
   * `POST chat/sessions/:connectionId` with one client frame as its body (text, already size-checked).
   * Resolves once the connection has queued the frame, in whichever process holds it.
   */
  receive(connectionId: string, text: string, identity: ChatIdentity | null): Promise<void>;
  /** Open WebSocket chat connections. */
  connectionCount(): number;
  /** Open chat connections over SSE and over long poll. */
  httpConnectionCounts(): { sse: number; longPoll: number };
  /** Graceful: closes every socket with 1001 "server shutting down" and clears every timer. */
  close(): Promise<void>;
}

/**
 * The WebSocket chat: rooms over the `chat:<room>` topics of the event log,
 * so HTTP publishers, SSE and long-poll readers share the same messages.
 *
 * @example
 * const chat = createChatServer({ log, config, logger, metrics });
 * server.on('upgrade', (req, socket, head) => chat.handleUpgrade(req, socket, head));
 */
export function createChatServer(deps: ChatDeps): ChatServer {
  const { log, config, logger } = deps;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.wsMaxPayloadBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const connections = new Set<ChatConnection>();
  /** HTTP chat connections by id: their POSTs and polls find them here. */
  const httpLinks = new Map<string, { connection: ChatConnection; link: SseChatLink | PollChatLink; user: string }>();
  // The realtime_connections gauge samples connectionCount() at scrape time (createRealtime registers it).
  const metricsByTransport = {
    websocket: chatMetrics(deps.metrics, 'websocket'),
    sse: chatMetrics(deps.metrics, 'sse'),
    long_poll: chatMetrics(deps.metrics, 'long_poll'),
  };
  const metrics = metricsByTransport.websocket;
  const rooms = new ChatRooms({
    log,
    presenceWindowMs: config.presenceWindowMs,
    memberListLimit: config.chatMemberListLimit,
    joinHistory: config.chatJoinHistory,
    // History is bounded at 1.1 x `historyLimit`, so one page normally covers any `since`.
    readPageSize: Math.ceil(config.historyLimit * 1.1) + 1,
    presence: log.presence,
    onDelivered: (count) => metrics.delivered(count),
  });
  const dedup = new SendDedupStore(config.historyLimit, config.chatDedupMaxRooms);
  // With a shared log, HTTP chat ids name this process, and the other processes pass on the
  // POSTs and polls a load balancer sends them for its connections (see ChatRelay).
  const relay = log.chatRelay;
  let relayReady = relay === undefined;
  const serving = (relay?.serve((request, gone) => answerRelayed(request, gone)) ?? Promise.resolve()).then(() => {
    relayReady = true;
  });
  const stopHeartbeat = startHeartbeat(config.wsHeartbeatMs, () => connections);
  let closing: Promise<void> | undefined;

  // One deps object per transport, shared by its connections (not one object and closure per connection).
  const onInternalError = (error: unknown, conn: ChatConnection): void =>
    logger.error({ err: error, connectionId: conn.id, user: conn.user }, 'chat request failed');
  const connectionDeps = (metrics: ChatMetrics): ChatConnectionDeps => ({
    log,
    rooms,
    dedup,
    metrics,
    maxBufferedBytes: config.maxBufferedBytes,
    maxRoomsPerConnection: config.chatMaxRoomsPerConnection,
    rateLimit: config.wsRateLimit,
    rateWindowMs: config.wsRateWindowMs,
    onInternalError,
  });
  const depsByTransport = {
    websocket: connectionDeps(metricsByTransport.websocket),
    sse: connectionDeps(metricsByTransport.sse),
    long_poll: connectionDeps(metricsByTransport.long_poll),
  };

  function accept(
    link: ChatLink,
    user: string,
    expiresAtMs: number | null,
    transport: keyof typeof metricsByTransport = 'websocket',
  ): ChatConnection {
    const metrics = metricsByTransport[transport];
    const id = transport !== 'websocket' && relay ? `${relay.processId}.${randomUUID()}` : randomUUID();
    const connection = new ChatConnection(link, id, user, depsByTransport[transport]);
    connections.add(connection);
    // One timer per authenticated socket, so each closes exactly at its own token's exp.
    const cancelExpiry =
      expiresAtMs === null
        ? undefined
        : atTime(expiresAtMs, () => {
            metrics.dropped('token_expired');
            connection.close(CLOSE_CODES.tokenExpired, 'token expired');
          });
    link.onClose(() => {
      cancelExpiry?.();
      connections.delete(connection);
      httpLinks.delete(connection.id);
      logger.debug({ connectionId: connection.id, user, transport }, 'chat connection closed');
    });
    logger.debug({ connectionId: connection.id, user, transport }, 'chat connection opened');
    connection.welcome(config.wsHeartbeatMs);
    return connection;
  }

  /** Who an HTTP chat connection is: the token's sub (auth on), else `?name=` or a guest name. */
  function httpUser(req: Request, identity: ChatIdentity | null): string {
    if (closing) throw new ApiError('shutting_down');
    if (identity) return identity.user;
    const name = userNameFromUrl(req.originalUrl);
    if (!name.ok) {
      throw new ApiError('invalid_name', 'name must be 1..32 characters of letters, digits, space, _ . - (no leading or trailing space).');
    }
    return name.user;
  }

  /** The HTTP chat connection `id` of `user` (the token's sub; null with auth off): 404 when gone, 403 when it is another user's. */
  function httpLink(id: unknown, user: string | null) {
    const entry = typeof id === 'string' ? httpLinks.get(id) : undefined;
    if (!entry) throw new ApiError('unknown_connection');
    if (user !== null && user !== entry.user) {
      throw new ApiError('forbidden', 'This chat connection belongs to another user.');
    }
    return entry;
  }

  /** The long-poll link of connection `id`. */
  function pollLink(id: unknown, user: string | null): PollChatLink {
    const { link } = httpLink(id, user);
    if (!(link instanceof PollChatLink)) throw new ApiError('unknown_connection', 'This chat connection is not a long-poll connection.');
    return link;
  }

  /** The process holding HTTP chat connection `id`, when that is another process than this one. */
  function ownerOf(id: unknown): string | null {
    if (!relay || typeof id !== 'string') return null;
    const owner = /^([0-9a-f]{16})\./.exec(id)?.[1];
    return owner !== undefined && owner !== relay.processId ? owner : null;
  }

  /** Passes a request to the process holding its connection; its refusals become the same HTTP errors. */
  async function relayed(owner: string, request: RelayedRequest, holdMs: number, signal?: AbortSignal): Promise<RelayedAnswer> {
    const answer = await relay!.request(owner, request, holdMs, signal);
    // No answer: the process that held the connection is gone, and the connection with it.
    if (answer === null) throw new ApiError('unknown_connection');
    if (answer.status >= 400) {
      const code: ErrorCode = answer.code !== undefined && answer.code in ERRORS ? (answer.code as ErrorCode) : 'internal_error';
      throw new ApiError(code, answer.message ?? ERRORS[code].message);
    }
    return answer;
  }

  /** A POST or poll that another process passed on for one of this process's connections. */
  async function answerRelayed(request: RelayedRequest, gone: Promise<void>): Promise<RelayedAnswer> {
    try {
      if (request.kind === 'frame') {
        if (closing) throw new ApiError('shutting_down');
        httpLink(request.connectionId, request.user).link.receive(request.text);
        return { status: 204 };
      }
      const link = pollLink(request.connectionId, request.user);
      const timeoutMs = Math.min(Math.max(0, Math.floor(request.timeoutMs)), config.pollMaxTimeoutMs);
      const answer = await link.poll(Math.max(0, Math.floor(request.after)), timeoutMs, gone);
      return { status: 200, body: answer.body };
    } catch (error) {
      if (error instanceof ApiError) return { status: error.status, code: error.code, message: error.message };
      throw error;
    }
  }

  function acquire(req: Request): () => void {
    const release = deps.connections.tryAcquire(clientIp(req));
    if (!release) throw new ApiError('too_many_connections');
    return release;
  }

  function register(connection: ChatConnection, link: SseChatLink | PollChatLink, user: string, release: () => void): void {
    link.onClose(release);
    if (!link.isClosed) httpLinks.set(connection.id, { connection, link, user });
  }

  return {
    handleUpgrade(req, socket, head, identity) {
      if (closing) {
        rejectUpgrade(socket, 'shutting_down');
        return;
      }
      const name = identity ? { ok: true as const, user: identity.user } : userNameFromUrl(req.url);
      if (!name.ok) {
        rejectUpgrade(
          socket,
          'invalid_name',
          'name must be 1..32 characters of letters, digits, space, _ . - (no leading or trailing space).',
        );
        return;
      }
      // The 101 response and the welcome frame leave in one write instead of two: on loopback each
      // write wakes the peer, and the second write was most of a connection's server CPU.
      // (ws completes the upgrade synchronously: there is no verifyClient.)
      socket.cork();
      try {
        wss.handleUpgrade(req, socket, head, (ws) => {
          if (closing) {
            ws.close(CLOSE_CODES.goingAway, 'server shutting down');
            return;
          }
          accept(new WebSocketLink(ws), name.user, identity?.expiresAtMs ?? null);
        });
      } finally {
        socket.uncork();
      }
    },
    async openStream(req, res, identity) {
      // Only until this process can be reached through the relay: a connection id must never name a process that cannot answer.
      if (!relayReady) await serving;
      if (res.socket === null || res.socket.destroyed) return;
      const user = httpUser(req, identity);
      const release = acquire(req);
      const link = new SseChatLink(res, {
        retryMs: config.sseRetryMs,
        heartbeatMs: config.sseHeartbeatMs,
        maxBufferedBytes: config.maxBufferedBytes,
        onSlowConsumer: () => metricsByTransport.sse.dropped('slow_consumer'),
      });
      const connection = accept(link, user, identity?.expiresAtMs ?? null, 'sse');
      register(connection, link, user, release);
    },
    async poll(req, res, identity) {
      const timeoutMs = integerParam(req.query['timeout'], 'invalid_timeout', 'timeout', {
        min: 0,
        max: config.pollMaxTimeoutMs,
        fallback: config.pollDefaultTimeoutMs,
      });
      const id = req.query['connectionId'];
      let link: PollChatLink;
      let after = 0;
      let wait = timeoutMs;
      const owner = ownerOf(id);
      if (owner !== null) {
        after = integerParam(req.query['after'], 'bad_request', 'after', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 });
        const left = new AbortController();
        res.once('close', () => left.abort());
        const request: RelayedRequest = { kind: 'poll', connectionId: String(id), user: identity?.user ?? null, after, timeoutMs };
        const answer = await relayed(owner, request, timeoutMs, left.signal);
        if (res.writableEnded || res.destroyed) return;
        res.setHeader('Cache-Control', 'no-store');
        res.status(200).type('application/json').send(answer.body);
        return;
      }
      if (id === undefined || id === '') {
        if (!relayReady) await serving;
        const user = httpUser(req, identity);
        const release = acquire(req);
        link = new PollChatLink({ sessionTimeoutMs: config.chatPollSessionTimeoutMs });
        const connection = accept(link, user, identity?.expiresAtMs ?? null, 'long_poll');
        register(connection, link, user, release);
        wait = 0;
      } else {
        link = pollLink(id, identity?.user ?? null);
        after = integerParam(req.query['after'], 'bad_request', 'after', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 });
      }
      const gone = new Promise<void>((resolve) => res.once('close', () => resolve()));
      const answer = await link.poll(after, wait, gone);
      if (res.writableEnded || res.destroyed) return;
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).type('application/json').send(answer.body);
    },
    async receive(connectionId, text, identity) {
      if (closing) throw new ApiError('shutting_down');
      const user = identity?.user ?? null;
      const owner = ownerOf(connectionId);
      if (owner !== null) await relayed(owner, { kind: 'frame', connectionId, user, text }, 0);
      else httpLink(connectionId, user).link.receive(text);
    },
    connectionCount: () => connections.size - httpLinks.size,
    httpConnectionCounts() {
      let sse = 0;
      for (const entry of httpLinks.values()) if (entry.link instanceof SseChatLink) sse++;
      return { sse, longPoll: httpLinks.size - sse };
    },
    close() {
      closing ??= shutDown();
      return closing;
    },
  };

  async function shutDown(): Promise<void> {
    stopHeartbeat();
    const closed = [...connections].map(
      (connection) =>
        new Promise<void>((resolve) => {
          connection.onceClosed(resolve);
          connection.close(CLOSE_CODES.goingAway, 'server shutting down');
          // The router refuses new polls from now on: a long-poll connection with no poll held cannot take its close frame.
          const link = httpLinks.get(connection.id)?.link;
          if (link instanceof PollChatLink && !link.held) link.terminate();
        }),
    );
    // Peers that never answer the close handshake are cut off after the grace period.
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      graceTimer = setTimeout(resolve, config.shutdownGraceMs);
    });
    await Promise.race([Promise.all(closed), grace]);
    clearTimeout(graceTimer);
    for (const connection of connections) connection.terminate();
    rooms.disposeAll();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
}

function chatMetrics(metrics: Metrics, transport: 'websocket' | 'sse' | 'long_poll'): ChatMetrics {
  return {
    delivered: (count) => {
      if (count > 0) metrics.eventsDelivered.inc({ transport }, count);
    },
    published: () => metrics.eventsPublished.inc(),
    resumed: () => metrics.reconnects.inc({ transport }),
    dropped: (reason) => metrics.droppedConnections.inc({ transport, reason }),
  };
}
