import pino from 'pino';

/** Any pino logger; the app passes its own (a child logger is fine). */
export type Logger = pino.Logger;

/**
 * The logger of an instance created without one: structured JSON on stdout at
 * `info`, which writes nothing during normal operation (only warnings and errors).
 *
 * @example
 * const logger = defaultLogger();
 */
export function defaultLogger(): Logger {
  return pino({ level: 'info', base: { service: 'ngx-realtime-signals-server' } });
}
