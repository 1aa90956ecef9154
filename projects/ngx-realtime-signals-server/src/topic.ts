/** Topic names: safe in a URL path segment, a Redis key and a log line, and never `.`/`..`. */
export const TOPIC_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * @example
 * isValidTopic('chat:lobby'); // true
 * isValidTopic('../etc');     // false
 */
export function isValidTopic(topic: unknown): topic is string {
  return typeof topic === 'string' && TOPIC_PATTERN.test(topic);
}

/** The topic that holds chat room `room`. */
export function chatTopic(room: string): string {
  return `chat:${room}`;
}
