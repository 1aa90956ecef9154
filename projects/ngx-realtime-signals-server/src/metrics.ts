import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { LogStatus } from './log/event-log.js';

export type Transport = 'sse' | 'long_poll' | 'websocket';
export const TRANSPORTS: readonly Transport[] = ['sse', 'long_poll', 'websocket'];

/** Why a server ended a connection it did not want to keep. */
export type DropReason = 'slow_consumer' | 'heartbeat' | 'rate_limit' | 'payload_too_large' | 'token_expired' | 'shutdown' | string;

/**
 * The Prometheus metrics of one server. Each server owns its Registry (not
 * prom-client's global one), so several servers can live in one test process.
 *
 * `realtime_connections` is sampled at scrape time from the counts the
 * transports report through `countConnections`, so it can never drift from
 * reality; transports don't inc/dec it.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly connections: Gauge<'transport'>;
  readonly eventsPublished: Counter<string>;
  readonly eventsDelivered: Counter<'transport'>;
  readonly reconnects: Counter<'transport'>;
  readonly droppedConnections: Counter<'transport' | 'reason'>;
  /** Refused tokens (missing, invalid, expired) and refused topics (forbidden); all zero while auth is off. */
  readonly authFailures: Counter<'reason'>;
  /** Registers the live connection count of a transport for the gauge. */
  countConnections(transport: Transport, count: () => number): void;
  /** Registers the log's status: `realtime_log_up` and the log fault counters are read from it at scrape time. */
  observeLog(status: () => LogStatus): void;
}

export interface MetricsOptions {
  /** Where the metrics are registered; default a new Registry of their own. */
  registry?: Registry;
  /** Prefix of every metric name; default `realtime_`. */
  prefix?: string;
  /** Also collect prom-client's process metrics into the registry; default only for a registry of their own. */
  defaultMetrics?: boolean;
}

/**
 * @example
 * const metrics = createMetrics();
 * metrics.eventsDelivered.inc({ transport: 'sse' });
 * res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? 'realtime_';
  const counts = new Map<Transport, () => number>();
  if (options.defaultMetrics ?? options.registry === undefined) collectDefaultMetrics({ register: registry });

  const connections = new Gauge<'transport'>({
    name: `${prefix}connections`,
    help: 'Open real-time connections by transport (held long polls count as connections).',
    labelNames: ['transport'],
    registers: [registry],
    collect() {
      for (const transport of TRANSPORTS) this.set({ transport }, counts.get(transport)?.() ?? 0);
    },
  });
  const eventsPublished = new Counter({
    name: `${prefix}events_published_total`,
    help: 'Events appended to the log (HTTP publish and chat messages).',
    registers: [registry],
  });
  const eventsDelivered = new Counter<'transport'>({
    name: `${prefix}events_delivered_total`,
    help: 'Events written to clients, counted once per client.',
    labelNames: ['transport'],
    registers: [registry],
  });
  const reconnects = new Counter<'transport'>({
    name: `${prefix}reconnects_total`,
    help: 'Connections that resumed from a cursor.',
    labelNames: ['transport'],
    registers: [registry],
  });
  const droppedConnections = new Counter<'transport' | 'reason'>({
    name: `${prefix}dropped_connections_total`,
    help: 'Connections the server ended, by reason (slow_consumer, heartbeat, rate_limit, ...).',
    labelNames: ['transport', 'reason'],
    registers: [registry],
  });
  const authFailures = new Counter<'reason'>({
    name: `${prefix}auth_failures_total`,
    help: 'Requests and upgrades refused by auth: missing, invalid or expired token (401), forbidden topic (403).',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of ['missing', 'invalid', 'expired', 'forbidden']) authFailures.inc({ reason }, 0);
  let logStatus: (() => LogStatus) | undefined;
  // Counters follow the log's running totals: each scrape adds what changed since the last one.
  const reported = { failures: new Map<string, number>(), disconnects: 0, resets: 0 };
  new Gauge({
    name: `${prefix}log_up`,
    help: 'Whether the event log store answers (1) or not (0: Redis unreachable, instance degraded).',
    registers: [registry],
    collect() {
      this.set(logStatus === undefined || logStatus().state === 'ok' ? 1 : 0);
    },
  });
  new Counter<'operation'>({
    name: `${prefix}log_failures_total`,
    help: 'Log operations that failed because the store was unreachable or slow (append = 503 to the publisher).',
    labelNames: ['operation'],
    registers: [registry],
    collect() {
      for (const [operation, total] of Object.entries(logStatus?.().counters?.failures ?? {})) {
        this.inc({ operation }, total - (reported.failures.get(operation) ?? 0));
        reported.failures.set(operation, total);
      }
    },
  });
  new Counter({
    name: `${prefix}log_disconnects_total`,
    help: 'Connections to the log store (Redis) that were lost.',
    registers: [registry],
    collect() {
      const total = logStatus?.().counters?.disconnects ?? 0;
      this.inc(total - reported.disconnects);
      reported.disconnects = total;
    },
  });
  new Counter({
    name: `${prefix}log_resets_total`,
    help: 'Live subscriptions told to re-read from their cursor because the store lost events (Redis restarted).',
    registers: [registry],
    collect() {
      const total = logStatus?.().counters?.resets ?? 0;
      this.inc(total - reported.resets);
      reported.resets = total;
    },
  });
  for (const transport of TRANSPORTS) {
    eventsDelivered.inc({ transport }, 0);
    reconnects.inc({ transport }, 0);
  }

  return {
    registry,
    connections,
    eventsPublished,
    eventsDelivered,
    reconnects,
    droppedConnections,
    authFailures,
    countConnections(transport, count) {
      counts.set(transport, count);
    },
    observeLog(status) {
      logStatus = status;
    },
  };
}
