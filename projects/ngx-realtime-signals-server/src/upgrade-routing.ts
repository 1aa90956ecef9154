import type http from 'node:http';
import type stream from 'node:stream';
import { bearerToken, challenge, queryOf } from './auth/bearer-token';
import { AuthFailure, assertUnexpired } from './auth/identity';
import type { TokenVerifier } from './auth/token-verifier';
import type { Config } from './config';
import { rejectUpgrade } from './errors';
import { type ConnectionLimiter, type HttpRateLimiter, clientIp } from './limits';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { isOriginAllowed } from './origin';
import type { ChatIdentity, ChatServer } from './transports/chat';

export const CHAT_PATH = '/api/chat';

export interface UpgradeRoutingDeps {
  config: Pick<Config, 'allowedOrigins'>;
  rate: HttpRateLimiter;
  connections: ConnectionLimiter;
  chat: Pick<ChatServer, 'handleUpgrade'>;
  isShuttingDown(): boolean;
  /** Null when auth is off. */
  verifier?: TokenVerifier | null;
  metrics?: Pick<Metrics, 'authFailures'>;
  logger?: Logger;
}

/**
 * The `upgrade` listener: every refusal is a real HTTP answer with a JSON body
 * sent instead of the 101 (path, shutdown, Origin, rate, token, per-IP slots);
 * only then does the chat server see the socket.
 *
 * @example
 * server.on('upgrade', upgradeRouting({ config, rate, connections, chat, isShuttingDown, verifier }));
 */
export function upgradeRouting(deps: UpgradeRoutingDeps) {
  return (req: http.IncomingMessage, socket: stream.Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    route(req, socket, head).catch((error: unknown) => {
      deps.logger?.error({ err: error }, 'upgrade failed');
      rejectUpgrade(socket, 'internal_error');
    });
  };

  async function route(req: http.IncomingMessage, socket: stream.Duplex, head: Buffer): Promise<void> {
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
    let identity: ChatIdentity | undefined;
    if (deps.verifier) {
      try {
        const verified = await deps.verifier.verify(bearerToken(req.headers.authorization, queryOf(req.url)));
        assertUnexpired(verified);
        identity = { user: verified.sub, expiresAtMs: verified.expiresAtMs };
      } catch (error) {
        if (!(error instanceof AuthFailure)) throw error;
        deps.metrics?.authFailures.inc({ reason: error.reason });
        return rejectUpgrade(socket, error.code, error.message, { 'WWW-Authenticate': challenge(error) });
      }
      // The peer may have given up while the token was checked.
      if (socket.destroyed) return;
      if (deps.isShuttingDown()) return rejectUpgrade(socket, 'shutting_down');
    }
    const release = deps.connections.tryAcquire(ip);
    if (!release) return rejectUpgrade(socket, 'too_many_connections');
    // The slot is held for the socket's life, whether chat accepts it or refuses it.
    socket.once('close', release);
    deps.chat.handleUpgrade(req, socket, head, identity);
  }
}
