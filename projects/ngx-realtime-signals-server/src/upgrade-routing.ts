import type http from 'node:http';
import type stream from 'node:stream';
import { DEFAULT_AUTH_REALM, bearerToken, challenge, queryOf } from './auth/bearer-token.js';
import { AuthFailure, assertUnexpired } from './auth/identity.js';
import type { TokenVerifier } from './auth/token-verifier.js';
import type { RealtimeSettings } from './options.js';
import { rejectUpgrade } from './errors.js';
import { type ConnectionLimiter, type HttpRateLimiter, compileTrust, resolveClientIp } from './limits.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { isOriginAllowed } from './origin.js';
import { pathnameOf } from './request-target.js';
import type { ChatIdentity, ChatServer } from './transports/chat.js';

export interface UpgradeRoutingDeps {
  config: Pick<RealtimeSettings, 'allowedOrigins' | 'trustProxy'>;
  rate: HttpRateLimiter;
  connections: ConnectionLimiter;
  chat: Pick<ChatServer, 'handleUpgrade'>;
  isShuttingDown(): boolean;
  /** Null when auth is off. */
  verifier?: TokenVerifier | null;
  metrics?: Pick<Metrics, 'authFailures'>;
  logger?: Logger;
  /** The `realm` of the `WWW-Authenticate` challenge of a refused token. */
  realm?: string;
}

/**
 * The chat upgrade of one instance: every refusal is a real HTTP answer with a
 * JSON body sent instead of the 101 (shutdown, Origin, rate, token, per-IP
 * slots); only then does the chat server see the socket.
 *
 * @example
 * routeUpgrades(server, { path: '/api/chat', handle: upgradeRouting(deps), isShuttingDown });
 */
export function upgradeRouting(deps: UpgradeRoutingDeps) {
  const trust = compileTrust(deps.config.trustProxy);
  return (req: http.IncomingMessage, socket: stream.Duplex, head: Buffer): void => {
    socket.on('error', destroySocket);
    route(req, socket, head).catch((error: unknown) => {
      deps.logger?.error({ err: error }, 'upgrade failed');
      rejectUpgrade(socket, 'internal_error');
    });
  };

  async function route(req: http.IncomingMessage, socket: stream.Duplex, head: Buffer): Promise<void> {
    if (deps.isShuttingDown()) return rejectUpgrade(socket, 'shutting_down');
    if (!isOriginAllowed(req.headers.origin, req.headers.host, deps.config)) {
      return rejectUpgrade(socket, 'origin_not_allowed');
    }
    const ip = resolveClientIp(req, trust);
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
        return rejectUpgrade(socket, error.code, error.message, { 'WWW-Authenticate': challenge(error, deps.realm ?? DEFAULT_AUTH_REALM) });
      }
      // The peer may have given up while the token was checked.
      if (socket.destroyed) return;
      if (deps.isShuttingDown()) return rejectUpgrade(socket, 'shutting_down');
    }
    const release = deps.connections.tryAcquire(ip);
    if (!release) return rejectUpgrade(socket, 'too_many_connections');
    // The slot is held for the socket's life, whether chat accepts it or refuses it ('close' comes
    // once, and release is idempotent: no `once` wrapper per socket).
    socket.on('close', release);
    deps.chat.handleUpgrade(req, socket, head, identity);
  }
}

function destroySocket(this: stream.Duplex): void {
  this.destroy();
}

type UpgradeHandler = (req: http.IncomingMessage, socket: stream.Duplex, head: Buffer) => void;

export interface UpgradeRoute {
  /** Exact pathname, e.g. `/api/chat`. */
  readonly path: string;
  readonly handle: UpgradeHandler;
  isShuttingDown(): boolean;
}

interface Dispatcher {
  readonly routes: UpgradeRoute[];
  readonly listener: UpgradeHandler;
}

const dispatchers = new WeakMap<http.Server, Dispatcher>();

/**
 * One `upgrade` listener per http.Server, shared by every instance attached to
 * it, dispatching by path. A path no instance owns is refused with 404 (503
 * while they all shut down), unless another `upgrade` listener is there to own
 * it (a dev server's live-reload socket, say). Returns a function that removes
 * the route again.
 *
 * @example
 * const detach = routeUpgrades(server, { path: '/api/chat', handle, isShuttingDown });
 */
export function routeUpgrades(server: http.Server, route: UpgradeRoute): () => void {
  let dispatcher = dispatchers.get(server);
  if (dispatcher === undefined) {
    const routes: UpgradeRoute[] = [];
    const listener: UpgradeHandler = (req, socket, head) => {
      const pathname = pathnameOf(req.url);
      const owner = routes.find((candidate) => candidate.path === pathname);
      if (owner !== undefined) return owner.handle(req, socket, head);
      if (server.listenerCount('upgrade') > 1) return;
      socket.on('error', () => socket.destroy());
      rejectUpgrade(socket, routes.length > 0 && routes.every((r) => r.isShuttingDown()) ? 'shutting_down' : 'not_found');
    };
    dispatcher = { routes, listener };
    dispatchers.set(server, dispatcher);
    server.on('upgrade', listener);
  }
  const { routes } = dispatcher;
  if (routes.some((existing) => existing.path === route.path)) {
    throw new Error(`Upgrades at ${route.path} are already handled by another realtime instance on this server.`);
  }
  routes.push(route);
  return () => {
    const index = routes.indexOf(route);
    if (index !== -1) routes.splice(index, 1);
  };
}
