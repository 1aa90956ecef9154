// The vocabulary for frames on the chat socket and for asserting what the client sent.

/**
 * A JSON frame on the chat socket.
 *
 * @example
 * ```ts
 * socket.receive({ type: 'presence', room: 'lobby', joined: ['bob'], count: 2 } satisfies ChatFrame);
 * ```
 */
export type ChatFrame = { type: string; [key: string]: unknown };

/**
 * What the test expects the client to have sent: a frame type, the fields it must have, or a predicate.
 *
 * @example
 * ```ts
 * socket.expectSent('ping');
 * socket.expectSent({ type: 'join', room: 'lobby', since: 'e4' });
 * socket.expectSent((f) => f.type === 'send' && String(f['text']).startsWith('hi'));
 * ```
 */
export type SentFrameMatch = string | ChatFrame | ((frame: ChatFrame) => boolean);

export function frameMatches(frame: ChatFrame, match: SentFrameMatch): boolean {
  if (typeof match === 'string') return frame.type === match;
  if (typeof match === 'function') return match(frame);
  return Object.entries(match).every(([key, value]) => JSON.stringify(frame[key]) === JSON.stringify(value));
}

export function describeFrameMatch(match: SentFrameMatch): string {
  if (typeof match === 'string') return `a ${match} frame`;
  if (typeof match === 'function') return 'a frame matching the predicate';
  return `a frame like ${JSON.stringify(match)}`;
}
