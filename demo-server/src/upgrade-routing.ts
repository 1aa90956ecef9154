import type http from 'node:http';
import type stream from 'node:stream';
import type { Config } from './config';
import { rejectUpgrade } from './errors';
import { type ConnectionLimiter, type HttpRateLimiter, clientIp } from './limits';
import { isOriginAllowed } from './origin';
import type { ChatServer } from './transports/chat';

export const CHAT_PATH = '/api/chat';

export interface UpgradeRoutingDeps {
  config: Pick<Config, 'allowedOrigins'>;
  rate: HttpRateLimiter;
  connections: ConnectionLimiter;
  chat: Pick<ChatServer, 'handleUpgrade'>;
  isShuttingDown(): boolean;
}

/**
 * The `upgrade` listener: every refusal is a real HTTP answer with a JSON body
 * sent instead of the 101 (path, shutdown, Origin, rate, per-IP slots);
 * only then does the chat server see the socket.
 *
 * @example
 * server.on('upgrade', upgradeRouting({ config, rate, connections, chat, isShuttingDown }));
 */
export function upgradeRouting(deps: UpgradeRoutingDeps) {
  return (req: http.IncomingMessage, socket: stream.Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    if (deps.isShuttingDown()) return rejectUpgrade(socket, 'shutting_down');
    const pathname = new URL(req.url ?? '/', 'http://upgrade.invalid').pathname;
    if (pathname !== CHAT_PATH) return rejectUpgrade(socket, 'not_found');
    if (!isOriginAllowed(req.headers.origin, req.headers.host, deps.config)) {
      return rejectUpgrade(socket, 'origin_not_allowed');
    }
    const ip = clientIp(req);
    const decision = deps.rate.hit(ip);
    if (!decision.allowed) {
      return rejectUpgrade(socket, 'rate_limited', undefined, { 'Retry-After': String(decision.retryAfterSeconds) });
    }
    const release = deps.connections.tryAcquire(ip);
    if (!release) return rejectUpgrade(socket, 'too_many_connections');
    // The slot is held for the socket's life, whether chat accepts it or refuses it.
    socket.once('close', release);
    deps.chat.handleUpgrade(req, socket, head);
  };
}
