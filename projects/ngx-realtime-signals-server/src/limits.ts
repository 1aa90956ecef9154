import type { IncomingMessage } from 'node:http';

/** The peer address a limit is keyed on (IPv4-mapped IPv6 folded to plain IPv4). */
export function clientIp(req: Pick<IncomingMessage, 'socket'>): string {
  const address = req.socket.remoteAddress ?? 'unknown';
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
