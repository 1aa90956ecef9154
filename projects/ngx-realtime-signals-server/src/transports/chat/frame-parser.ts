import { ChatFrameError } from './chat-errors.js';
import type { ClientFrame } from './frames.js';

/** `chat:` + room is always a valid topic (topics are at most 128 characters). */
const ROOM_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,122}$/;
export const MAX_TEXT_CODE_POINTS = 4000;
export const MAX_CLIENT_ID_LENGTH = 128;
const MAX_PING_TOKEN_LENGTH = 64;

export function isValidRoom(room: unknown): room is string {
  return typeof room === 'string' && ROOM_PATTERN.test(room);
}

function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * Parses and validates one client text frame. Throws ChatFrameError (with
 * `ref` = the room or clientId when the frame named one) so the caller can
 * answer with an `error` frame and keep the socket open.
 */
export function parseClientFrame(raw: string): ClientFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ChatFrameError('invalid_json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ChatFrameError('invalid_json');
  }
  const frame = value as Record<string, unknown>;
  switch (frame['type']) {
    case 'join':
      return { type: 'join', room: roomOf(frame), since: sinceOf(frame) };
    case 'leave':
      return { type: 'leave', room: roomOf(frame) };
    case 'typing':
      return { type: 'typing', room: roomOf(frame) };
    case 'send':
      return parseSend(frame);
    case 'ping':
      return parsePing(frame);
    default:
      throw new ChatFrameError('unknown_type', `Unknown or missing frame type: ${describeType(frame['type'])}.`);
  }
}

function roomOf(frame: Record<string, unknown>): string {
  const room = frame['room'];
  if (!isValidRoom(room)) {
    throw new ChatFrameError('invalid_room', undefined, typeof room === 'string' ? room.slice(0, 128) : undefined);
  }
  return room;
}

/** An absent, null or empty `since` means "no cursor" (the last N messages), as `cursor=` does for long polling. */
function sinceOf(frame: Record<string, unknown>): string | null {
  const since = frame['since'];
  if (since === undefined || since === null || since === '') return null;
  if (typeof since !== 'string') {
    throw new ChatFrameError('invalid_field', 'since must be a string cursor.', frame['room'] as string);
  }
  return since;
}

function parseSend(frame: Record<string, unknown>): ClientFrame {
  const clientId = frame['clientId'];
  if (typeof clientId !== 'string' || clientId.length === 0 || codePointLength(clientId) > MAX_CLIENT_ID_LENGTH) {
    throw new ChatFrameError('invalid_field', `clientId must be a string of 1..${MAX_CLIENT_ID_LENGTH} characters.`);
  }
  const ref = clientId;
  const room = frame['room'];
  if (!isValidRoom(room)) throw new ChatFrameError('invalid_room', undefined, ref);
  const text = frame['text'];
  if (typeof text !== 'string' || text.length === 0 || codePointLength(text) > MAX_TEXT_CODE_POINTS) {
    throw new ChatFrameError('invalid_field', `text must be a string of 1..${MAX_TEXT_CODE_POINTS} characters.`, ref);
  }
  return { type: 'send', room, clientId, text };
}

function parsePing(frame: Record<string, unknown>): ClientFrame {
  const t = frame['t'];
  if (t === undefined) return { type: 'ping' };
  const ok =
    (typeof t === 'number' && Number.isFinite(t)) || (typeof t === 'string' && t.length <= MAX_PING_TOKEN_LENGTH);
  if (!ok) throw new ChatFrameError('invalid_field', 't must be a finite number or a short string.');
  return { type: 'ping', t };
}

function describeType(type: unknown): string {
  return typeof type === 'string' ? JSON.stringify(type.slice(0, 32)) : typeof type;
}
