import type { LoggedEvent } from '../../log/event-log.js';

/** Frames a chat client sends (JSON text frames, discriminated by `type`). */
export type ClientFrame =
  | { type: 'join'; room: string; since: string | null }
  | { type: 'leave'; room: string }
  | { type: 'send'; room: string; clientId: string; text: string }
  | { type: 'typing'; room: string }
  | { type: 'ping'; t?: number | string };

/** Frames the server sends. */
export type ServerFrame =
  | { type: 'welcome'; connectionId: string; user: string; heartbeatMs: number }
  | { type: 'joined'; room: string; members: string[]; count: number; history: LoggedEvent[]; cursor: string; reset?: true }
  | { type: 'left'; room: string }
  | { type: 'message'; room: string; event: LoggedEvent }
  | { type: 'ack'; clientId: string; id: string }
  | { type: 'presence'; room: string; joined?: string[]; left?: string[]; count: number }
  | { type: 'typing'; room: string; user: string }
  | { type: 'pong'; t?: number | string }
  | { type: 'error'; code: string; message: string; ref?: string };

/** `data` of a chat message event in the log (topic `chat:<room>`, type `message`). */
export interface ChatMessageData {
  text: string;
  from: string;
  clientId: string;
}

/**
 * Serialises a frame once into the bytes every recipient gets: a broadcast
 * writes this one Buffer to each socket instead of re-encoding per member.
 */
export function encodeFrame(frame: ServerFrame): Buffer {
  return Buffer.from(JSON.stringify(frame), 'utf8');
}
