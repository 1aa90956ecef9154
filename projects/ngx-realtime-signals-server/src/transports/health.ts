import type { Request, Response } from 'express';
import type { Metrics } from '../metrics.js';

export interface ConnectionCounts {
  sse: number;
  longPoll: number;
  websocket: number;
}

/**
 * GET health: liveness plus the open connections per transport.
 *
 * @example
 * router.get('/health', healthHandler(() => counts(), 'memory'));
 */
export function healthHandler(counts: () => ConnectionCounts, logKind: string, startedAt = Date.now()) {
  return (_req: Request, res: Response): void => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      status: 'ok',
      uptimeS: Math.floor((Date.now() - startedAt) / 1000),
      connections: counts(),
      log: logKind,
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
