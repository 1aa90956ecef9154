/** Event types end up on an SSE `event:` line, so they must never contain a line break or space. */
export const EVENT_TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9._:-]{0,63}$/;

/** Types the server itself sends on the SSE stream; a publisher must not be able to fake them. */
export const RESERVED_EVENT_TYPES: readonly string[] = ['reset', 'error', 'cursor'];

export type EventTypeCheck = 'ok' | 'invalid_type' | 'reserved_type';

/**
 * @example
 * checkEventType('price.update'); // 'ok'
 * checkEventType('reset');        // 'reserved_type'
 */
export function checkEventType(type: unknown): EventTypeCheck {
  if (typeof type !== 'string' || !EVENT_TYPE_PATTERN.test(type)) return 'invalid_type';
  if (RESERVED_EVENT_TYPES.includes(type)) return 'reserved_type';
  return 'ok';
}
