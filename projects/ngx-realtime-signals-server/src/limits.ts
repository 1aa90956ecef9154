import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** The `trustProxy` setting, as Express's `trust proxy`: off, every hop, a hop count, or the proxies' addresses. */
export type TrustProxy = boolean | number | readonly string[];

/** Whether the peer `address`, `hop` steps from this server (0: the socket's peer), is a proxy to trust. */
export type TrustFn = (address: string, hop: number) => boolean;

const CLIENT_ADDRESS = Symbol('realtime.clientAddress');
type WithAddress = { [CLIENT_ADDRESS]?: string };

/**
 * The trust function of a `trustProxy` setting, with Express's semantics: `false` trusts no proxy
 * (the socket's peer is the client), `true` every one (the left-most `X-Forwarded-For` address is
 * the client), `n` the n nearest hops, a list the peers at those addresses or subnets (CIDR, or
 * `loopback`, `linklocal`, `uniquelocal`). Throws on an address that is not one.
 *
 * @example
 * const trust = compileTrust(['loopback', '10.0.0.0/8']);
 */
export function compileTrust(setting: TrustProxy): TrustFn {
  if (setting === true) return () => true;
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyaddr.compile([...setting]);
}

/**
 * Works out the client address of `req` once, from the socket's peer and, when that peer is a
 * trusted proxy, `X-Forwarded-For`; later `clientIp(req)` calls return it.
 *
 * @example
 * router.use((req, _res, next) => (resolveClientIp(req, trust), next()));
 */
export function resolveClientIp(req: IncomingMessage, trust: TrustFn): string {
  const address = fold(proxyaddr(req, trust) || 'unknown');
  (req as IncomingMessage & WithAddress)[CLIENT_ADDRESS] = address;
  return address;
}

/**
 * The client address a limit is keyed on and logs name (IPv4-mapped IPv6 folded to plain IPv4):
 * the one `resolveClientIp` worked out, else the socket's peer.
 */
export function clientIp(req: Pick<IncomingMessage, 'socket'>): string {
  return (req as WithAddress)[CLIENT_ADDRESS] ?? fold(req.socket.remoteAddress ?? 'unknown');
}

function fold(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/**
 * Long-lived connections (SSE streams, held polls, WebSockets) per client IP,
 * shared by every transport.
 *
 * @example
 * const release = limiter.tryAcquire(ip);
 * if (!release) return sendError(res, 'too_many_connections');
 * res.once('close', release);
 */
export class ConnectionLimiter {
  private readonly open = new Map<string, number>();

  constructor(private readonly maxPerIp: number) {}

  /** A release function (idempotent), or null when `ip` is at its limit. */
  tryAcquire(ip: string): (() => void) | null {
    const current = this.open.get(ip) ?? 0;
    if (current >= this.maxPerIp) return null;
    this.open.set(ip, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(ip) ?? 1) - 1;
      if (left <= 0) this.open.delete(ip);
      else this.open.set(ip, left);
    };
  }

  count(ip: string): number {
    return this.open.get(ip) ?? 0;
  }
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Fixed-window request counter per IP (`httpRateLimit` per `httpRateWindowMs`).
 * Windows are aligned to the clock and the table is dropped when one ends, so
 * memory stays bounded by the addresses seen in one window.
 *
 * @example
 * const decision = rate.hit(ip);
 * if (!decision.allowed) res.setHeader('Retry-After', String(decision.retryAfterSeconds));
 */
export class HttpRateLimiter {
  private window = -1;
  private readonly hits = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.limit > 0;
  }

  hit(ip: string): RateDecision {
    if (!this.enabled) return { allowed: true };
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.hits.clear();
    }
    const count = (this.hits.get(ip) ?? 0) + 1;
    this.hits.set(ip, count);
    if (count <= this.limit) return { allowed: true };
    const windowEnd = (window + 1) * this.windowMs;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((windowEnd - now) / 1000)) };
  }
}
