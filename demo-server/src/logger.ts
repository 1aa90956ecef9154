import pino from 'pino';
import type { Logger } from 'ngx-realtime-signals-server';
import type { LogLevel } from './config';

/**
 * Structured JSON logs on stdout; tests pass 'silent'.
 *
 * @example
 * const logger = createLogger(config.logLevel);
 */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { service: 'demo-server' } });
}
