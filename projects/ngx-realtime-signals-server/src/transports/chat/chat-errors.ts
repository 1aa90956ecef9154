/**
 * Every error a chat connection can receive as an `error` frame. The socket
 * stays open after each of them; the codes are stable and listed in
 * docs/PROTOCOL.md.
 */
export const CHAT_ERRORS = {
  invalid_json: 'Frame is not a JSON object.',
  binary_frame: 'Binary frames are not supported; send JSON text frames.',
  unknown_type: 'Unknown or missing frame type.',
  invalid_room: 'Room must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,122}$.',
  invalid_field: 'A field is missing or has the wrong type or length.',
  invalid_cursor: 'since is not a cursor this server could have issued.',
  not_joined: 'Join the room first.',
  already_joined: 'This connection has already joined the room.',
  too_many_rooms: 'This connection has joined the maximum number of rooms.',
  internal_error: 'The server could not complete the request; retry it.',
  log_unavailable: 'The event log is not reachable right now; the message was not sent. Retry it.',
} as const;

export type ChatErrorCode = keyof typeof CHAT_ERRORS;

/** A frame-level failure: turned into an `error` frame, never a close. */
export class ChatFrameError extends Error {
  constructor(
    readonly code: ChatErrorCode,
    message: string = CHAT_ERRORS[code],
    readonly ref?: string,
  ) {
    super(message);
    this.name = 'ChatFrameError';
  }
}

/** Close codes the chat server uses (RFC 6455 section 7.4.1). */
export const CLOSE_CODES = {
  /** Server shutting down. */
  goingAway: 1001,
  /** Frame rate past `wsRateLimit` per `wsRateWindowMs`. */
  policyViolation: 1008,
  /** Frame larger than WS_MAX_PAYLOAD_BYTES (sent by ws itself through maxPayload). */
  messageTooBig: 1009,
  /** The shared event log lost events this connection had not received; reconnect and re-join with `since`. */
  serviceRestart: 1012,
  /** The access token reached its `exp` (auth on); reconnect with a fresh one. */
  tokenExpired: 4401,
} as const;
