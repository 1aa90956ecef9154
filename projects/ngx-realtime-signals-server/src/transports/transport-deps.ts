import type { RealtimeSettings } from '../options.js';
import type { ConnectionLimiter } from '../limits.js';
import type { EventLog } from '../log/event-log.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

/** What the HTTP transports share, wired once by createRealtime. */
export interface TransportDeps {
  readonly log: EventLog;
  readonly config: RealtimeSettings;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly connections: ConnectionLimiter;
}
