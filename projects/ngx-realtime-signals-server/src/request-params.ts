import { ApiError, type ErrorCode } from './errors.js';
import type { EventLog } from './log/event-log.js';
import { isValidTopic } from './topic.js';

const DECIMAL = /^[0-9]{1,10}$/;

/** A route's `:topic`, or 400 invalid_topic. */
export function topicParam(value: unknown): string {
  if (!isValidTopic(value)) throw new ApiError('invalid_topic');
  return value;
}

/**
 * A decimal integer query value within [min, max]; absent or empty gives the
 * default. Anything else (signs, decimals, exponents, repeats, out of range)
 * is a 400, never clamped, so a client bug shows up at once.
 */
export function integerParam(
  value: unknown,
  code: ErrorCode,
  name: string,
  bounds: { min: number; max: number; fallback: number },
): number {
  if (value === undefined || value === '') return bounds.fallback;
  if (typeof value !== 'string' || !DECIMAL.test(value)) {
    throw new ApiError(code, `${name} must be a decimal integer from ${bounds.min} to ${bounds.max}.`);
  }
  const parsed = Number(value);
  if (parsed < bounds.min || parsed > bounds.max) {
    throw new ApiError(code, `${name} must be a decimal integer from ${bounds.min} to ${bounds.max}.`);
  }
  return parsed;
}

/** A resume cursor: absent or empty is null (start from now); a value this log never issues is 400 invalid_cursor. */
export function cursorParam(value: unknown, log: EventLog): string | null {
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string' || !log.isValidCursor(value)) throw new ApiError('invalid_cursor');
  return value;
}
