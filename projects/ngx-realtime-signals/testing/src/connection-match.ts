import type { TestConnection } from './test-connection';

/**
 * Which connection a test expects: by transport and, optionally, the SSE/poll topic or
 * a chat room the client joined over that socket.
 *
 * @example
 * ```ts
 * realtime.expectOne({ transport: 'sse', topic: 'notifications' });
 * realtime.expectOne({ transport: 'chat', room: 'lobby' });
 * ```
 */
export type RealtimeMatch =
  | { transport: 'sse'; topic?: string }
  | { transport: 'poll'; topic?: string }
  | { transport: 'chat'; room?: string };

/**
 * A criterion object or a predicate over any test connection.
 *
 * @example
 * ```ts
 * realtime.expectOne((c) => c.transport === 'sse' && c.cursor === 'e7');
 * ```
 */
export type RealtimeMatcher = RealtimeMatch | ((connection: TestConnection) => boolean);

export function matches(connection: TestConnection, matcher: RealtimeMatcher): boolean {
  if (typeof matcher === 'function') return matcher(connection);
  if (connection.transport !== matcher.transport) return false;
  if (matcher.transport === 'chat') {
    return matcher.room === undefined || (connection.transport === 'chat' && connection.rooms.includes(matcher.room));
  }
  return matcher.topic === undefined || (connection.transport !== 'chat' && connection.topic === matcher.topic);
}

/** The matcher in words, for failure messages: "an sse connection for topic 'news'". */
export function describeMatcher(matcher: RealtimeMatcher): string {
  if (typeof matcher === 'function') return `a connection matching ${matcher.name ? `predicate ${matcher.name}` : 'the predicate'}`;
  const article = matcher.transport === 'sse' ? 'an' : 'a';
  if (matcher.transport === 'chat') {
    return matcher.room === undefined ? 'a chat connection' : `a chat connection that joined room '${matcher.room}'`;
  }
  return matcher.topic === undefined
    ? `${article} ${matcher.transport} connection`
    : `${article} ${matcher.transport} connection for topic '${matcher.topic}'`;
}
