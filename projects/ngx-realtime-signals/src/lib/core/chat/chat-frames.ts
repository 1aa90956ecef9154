import type { RealtimeEvent } from '../types';

/** Frames the chat server sends, after shape checks (see docs/PROTOCOL.md, WebSocket chat). */
export type ChatServerFrame =
  | { type: 'welcome'; connectionId: string; user: string; heartbeatMs: number | null }
  | {
      type: 'joined';
      room: string;
      members: string[];
      count: number;
      history: RealtimeEvent[];
      /** Where the member now stands (last history event, else the room's head); null from a server that does not say. */
      cursor: string | null;
      reset: boolean;
    }
  | { type: 'left'; room: string }
  | { type: 'message'; room: string; event: RealtimeEvent }
  | { type: 'ack'; clientId: string; id: string }
  | { type: 'presence'; room: string; joined: string[]; left: string[]; count: number | null }
  | { type: 'typing'; room: string; user: string }
  | { type: 'pong'; t: unknown }
  | { type: 'error'; code: string; message: string; ref: string | null };

/** Frames this client sends. */
export type ChatClientFrame =
  | { type: 'join'; room: string; since?: string }
  | { type: 'leave'; room: string }
  | { type: 'send'; room: string; clientId: string; text: string }
  | { type: 'typing'; room: string }
  | { type: 'ping'; t: number };

/** The text, author and clientId a chat `message` event carries in `data`. */
export interface ChatMessageData {
  text: string;
  from: string;
  clientId: string | null;
}

type Frame = { type: string; [key: string]: unknown };

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

/** A RealtimeEvent when `value` has the event shape, else null. */
export function toEvent(value: unknown): RealtimeEvent | null {
  if (typeof value !== 'object' || value === null) return null;
  const e = value as Record<string, unknown>;
  if (!isString(e['id']) || e['id'] === '' || !isString(e['type'])) return null;
  return {
    id: e['id'],
    topic: isString(e['topic']) ? e['topic'] : '',
    type: e['type'],
    data: e['data'],
    ts: typeof e['ts'] === 'number' ? e['ts'] : 0,
  };
}

/** The chat payload of a `message` event, or null for other events published to the room's topic. */
export function toMessageData(event: RealtimeEvent): ChatMessageData | null {
  if (event.type !== 'message' || typeof event.data !== 'object' || event.data === null) return null;
  const d = event.data as Record<string, unknown>;
  if (!isString(d['text'])) return null;
  return {
    text: d['text'],
    from: isString(d['from']) ? d['from'] : '',
    clientId: isString(d['clientId']) && d['clientId'] !== '' ? d['clientId'] : null,
  };
}

/**
 * Checks a decoded server frame. Returns null for frames that are malformed or
 * of an unknown type, which the client ignores so a newer server can add frames.
 */
export function parseServerFrame(frame: Frame): ChatServerFrame | null {
  const f = frame as Record<string, unknown>;
  const room = f['room'];
  switch (frame.type) {
    case 'welcome':
      return isString(f['user'])
        ? {
            type: 'welcome',
            connectionId: isString(f['connectionId']) ? f['connectionId'] : '',
            user: f['user'],
            heartbeatMs: typeof f['heartbeatMs'] === 'number' ? f['heartbeatMs'] : null,
          }
        : null;
    case 'joined': {
      if (!isString(room) || !Array.isArray(f['history'])) return null;
      const history = f['history'].map(toEvent);
      if (history.some((e) => e === null)) return null;
      const members = isStringArray(f['members']) ? f['members'] : [];
      return {
        type: 'joined',
        room,
        members,
        count: typeof f['count'] === 'number' ? f['count'] : members.length,
        history: history as RealtimeEvent[],
        cursor: isString(f['cursor']) && f['cursor'] !== '' ? f['cursor'] : null,
        reset: f['reset'] === true,
      };
    }
    case 'left':
      return isString(room) ? { type: 'left', room } : null;
    case 'message': {
      const event = toEvent(f['event']);
      return isString(room) && event ? { type: 'message', room, event } : null;
    }
    case 'ack':
      return isString(f['clientId']) && isString(f['id']) ? { type: 'ack', clientId: f['clientId'], id: f['id'] } : null;
    case 'presence':
      return isString(room)
        ? {
            type: 'presence',
            room,
            joined: isStringArray(f['joined']) ? f['joined'] : [],
            left: isStringArray(f['left']) ? f['left'] : [],
            count: typeof f['count'] === 'number' ? f['count'] : null,
          }
        : null;
    case 'typing':
      return isString(room) && isString(f['user']) ? { type: 'typing', room, user: f['user'] } : null;
    case 'pong':
      return { type: 'pong', t: f['t'] };
    case 'error':
      return {
        type: 'error',
        code: isString(f['code']) ? f['code'] : 'unknown',
        message: isString(f['message']) ? f['message'] : '',
        ref: isString(f['ref']) ? f['ref'] : null,
      };
    default:
      return null;
  }
}
