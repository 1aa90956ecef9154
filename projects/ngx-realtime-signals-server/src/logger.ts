import pino from 'pino';
import type { LogLevel } from './config';

export type Logger = pino.Logger;

/**
 * Structured JSON logs on stdout; tests pass 'silent'.
 *
 * @example
 * const logger = createLogger(config.logLevel);
 */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { service: 'demo-server' } });
}
