import type { Config } from '../config';
import type { ConnectionLimiter } from '../limits';
import type { EventLog } from '../log/event-log';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

/** What the HTTP transports share, wired once by app.ts. */
export interface TransportDeps {
  readonly log: EventLog;
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly connections: ConnectionLimiter;
}
