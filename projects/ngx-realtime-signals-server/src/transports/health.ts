import type { Request, Response } from 'express';
import type { LogStatus } from '../log/event-log.js';
import type { Metrics } from '../metrics.js';

export interface ConnectionCounts {
  sse: number;
  longPoll: number;
  websocket: number;
}

/**
 * GET health: the instance's state for monitoring, the log's state, and the open connections per
 * transport.
 *
 * `200 { status: "ok" }` while the log's store answers; `503 { status: "degraded" }` while it
 * does not (Redis unreachable), with a `detail` sentence and the store's fault counters
 * (`logCounters`), which `/metrics` also exports. This is what to alert on, not what a load
 * balancer should check: when the shared store is down every instance is degraded alike, and
 * taking them all out would turn the instances' clear `503 log_unavailable` to publishers into
 * the balancer's own error page and refuse readers that can still connect. Balancers check
 * `GET health/ready` ({@link readyHandler}).
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
      ...(log.state === 'ok'
        ? {}
        : {
            detail:
              `The event log's store (${log.kind}) does not answer: publishes get 503 log_unavailable, ` +
              'connected clients stay connected and get what was appended meanwhile once it is back.',
          }),
      ...(log.counters ? { logCounters: log.counters } : {}),
    });
  };
}

/**
 * GET health/ready: whether this instance takes new requests, for a load balancer's health check.
 * `200 { status: "ready", log }` while the process serves, whatever the log's store is doing
 * (`log` is `ok` or `degraded`, for information); a draining instance answers `503 shutting_down`
 * (the router does, before this handler), and a dead or hung one does not answer at all.
 *
 * @example
 * router.get('/health/ready', readyHandler(() => log.status()));
 */
export function readyHandler(logStatus: () => LogStatus) {
  return (_req: Request, res: Response): void => {
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).json({ status: 'ready', log: logStatus().state });
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
