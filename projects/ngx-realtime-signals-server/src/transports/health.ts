import type { Request, Response } from 'express';
import type { LogStatus } from '../log/event-log.js';
import type { Metrics } from '../metrics.js';

export interface ConnectionCounts {
  sse: number;
  longPoll: number;
  websocket: number;
}

/**
 * GET health: liveness, the log's state, and the open connections per transport.
 *
 * `200 { status: "ok" }` while the log's store answers; `503 { status: "degraded" }` while it
 * does not (Redis unreachable). A load balancer then sends new connections to instances that can
 * serve them (a new reader needs the log for its backlog, a publisher for its append), while the
 * clients already connected here stay connected (HAProxy keeps established sessions of a server
 * it marks down unless told `on-marked-down shutdown-sessions`) and get every event once the
 * fan-out reconnects. The body is the same in both cases, so a probe can tell "degraded" from "down".
 *
 * @example
 * router.get('/health', healthHandler(() => counts(), () => log.status()));
 */
export function healthHandler(counts: () => ConnectionCounts, logStatus: () => LogStatus, startedAt = Date.now()) {
  return (_req: Request, res: Response): void => {
    const log = logStatus();
    res.setHeader('Cache-Control', 'no-store');
    res.status(log.state === 'ok' ? 200 : 503).json({
      status: log.state,
      uptimeS: Math.floor((Date.now() - startedAt) / 1000),
      connections: counts(),
      log: log.kind,
    });
  };
}

/** GET /metrics: Prometheus text exposition of this server's registry. */
export function metricsHandler(metrics: Metrics) {
  return async (_req: Request, res: Response): Promise<void> => {
    const text = await metrics.registry.metrics();
    res.setHeader('Cache-Control', 'no-store');
    res.type(metrics.registry.contentType).send(text);
  };
}
