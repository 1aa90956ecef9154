import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type stream from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { atTime } from '../at-time.js';
import type { RealtimeSettings } from '../options.js';
import { rejectUpgrade } from '../errors.js';
import type { EventLog } from '../log/event-log.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { ChatConnection } from './chat/chat-connection.js';
import { CLOSE_CODES } from './chat/chat-errors.js';
import type { ChatMetrics } from './chat/chat-metrics.js';
import { ChatRooms } from './chat/chat-rooms.js';
import { startHeartbeat } from './chat/heartbeat.js';
import { SendDedupStore } from './chat/send-dedup.js';
import { userNameFromUrl } from './chat/user-name.js';

export interface ChatDeps {
  log: EventLog;
  config: RealtimeSettings;
  logger: Logger;
  metrics: Metrics;
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
  connectionCount(): number;
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
  // The realtime_connections gauge samples connectionCount() at scrape time (createRealtime registers it).
  const metrics = chatMetrics(deps.metrics);
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
  const stopHeartbeat = startHeartbeat(config.wsHeartbeatMs, () => connections);
  let closing: Promise<void> | undefined;

  function accept(socket: WebSocket, user: string, expiresAtMs: number | null): void {
    const connection = new ChatConnection(socket, randomUUID(), user, {
      log,
      rooms,
      dedup,
      metrics,
      maxBufferedBytes: config.maxBufferedBytes,
      maxRoomsPerConnection: config.chatMaxRoomsPerConnection,
      rateLimit: config.wsRateLimit,
      rateWindowMs: config.wsRateWindowMs,
      onInternalError: (error, conn) =>
        logger.error({ err: error, connectionId: conn.id, user: conn.user }, 'chat request failed'),
    });
    connections.add(connection);
    // One timer per authenticated socket, so each closes exactly at its own token's exp.
    const cancelExpiry =
      expiresAtMs === null
        ? undefined
        : atTime(expiresAtMs, () => {
            metrics.dropped('token_expired');
            connection.close(CLOSE_CODES.tokenExpired, 'token expired');
          });
    socket.on('close', (code: number) => {
      cancelExpiry?.();
      connections.delete(connection);
      logger.debug({ connectionId: connection.id, user, code }, 'chat connection closed');
    });
    logger.debug({ connectionId: connection.id, user }, 'chat connection opened');
    connection.welcome(config.wsHeartbeatMs);
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
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (closing) {
          ws.close(CLOSE_CODES.goingAway, 'server shutting down');
          return;
        }
        accept(ws, name.user, identity?.expiresAtMs ?? null);
      });
    },
    connectionCount: () => connections.size,
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

function chatMetrics(metrics: Metrics): ChatMetrics {
  const transport = 'websocket';
  return {
    delivered: (count) => {
      if (count > 0) metrics.eventsDelivered.inc({ transport }, count);
    },
    published: () => metrics.eventsPublished.inc(),
    resumed: () => metrics.reconnects.inc({ transport }),
    dropped: (reason) => metrics.droppedConnections.inc({ transport, reason }),
  };
}
