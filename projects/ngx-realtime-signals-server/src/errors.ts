import type http from 'node:http';
import type stream from 'node:stream';

/**
 * Every error the realtime router answers over HTTP, with its status and default
 * message. Codes are stable API: clients branch on `code`, never on `message`.
 * docs/PROTOCOL.md lists them all.
 */
export const ERRORS = {
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_body: { status: 400, message: 'The request body must be a JSON object {"type": string, "data": any}.' },
  invalid_topic: { status: 400, message: 'The topic must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$.' },
  invalid_type: { status: 400, message: 'The event type must match ^[A-Za-z][A-Za-z0-9._:-]{0,63}$.' },
  reserved_type: { status: 400, message: 'The event types "reset" and "error" are reserved.' },
  invalid_timeout: { status: 400, message: 'timeout must be a decimal integer of milliseconds within the allowed range.' },
  invalid_limit: { status: 400, message: 'limit must be a decimal integer within the allowed range.' },
  invalid_cursor: { status: 400, message: 'The cursor was not issued by this server.' },
  invalid_name: { status: 400, message: 'The name is not acceptable.' },
  bad_request: { status: 400, message: 'The request is malformed.' },
  unauthorized: { status: 401, message: 'A valid bearer token is required.' },
  token_expired: { status: 401, message: 'The token has expired; get a fresh one.' },
  origin_not_allowed: { status: 403, message: 'The Origin of this request is not allowed.' },
  forbidden: { status: 403, message: 'Access to this resource is not allowed.' },
  not_found: { status: 404, message: 'No such route.' },
  unknown_connection: { status: 404, message: 'No such chat connection (it ended or never existed); open a new one and re-join with since.' },
  method_not_allowed: { status: 405, message: 'The method is not allowed on this route.' },
  payload_too_large: { status: 413, message: 'The request body is larger than the limit.' },
  unsupported_media_type: { status: 415, message: 'The request body must be sent as Content-Type: application/json.' },
  upgrade_required: { status: 426, message: 'This route speaks WebSocket only.' },
  rate_limited: { status: 429, message: 'Too many requests; retry after the time in Retry-After.' },
  too_many_connections: { status: 429, message: 'Too many open connections from this address.' },
  internal_error: { status: 500, message: 'Internal server error.' },
  shutting_down: { status: 503, message: 'The server is shutting down.' },
  unavailable: { status: 503, message: 'The service is not available.' },
  log_unavailable: {
    status: 503,
    message: 'The event log is not reachable right now; retry shortly. Nothing was published.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** An error a request handler throws to answer with a given code (the error middleware sends it). */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code].message,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERRORS[code].status;
  }
}

export function errorBody(code: ErrorCode, message: string = ERRORS[code].message): ErrorBody {
  return { error: { code, message } };
}

/**
 * Answers `{ error: { code, message } }` with the code's status on a plain
 * node response (Express responses are node responses too).
 *
 * @example
 * sendError(res, 'invalid_topic');
 */
export function sendError(
  res: http.ServerResponse,
  code: ErrorCode,
  message?: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(code, message));
  res.writeHead(ERRORS[code].status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/**
 * Refuses a WebSocket upgrade with a real HTTP error response (never a 101
 * followed by a close), then closes the socket.
 *
 * @example
 * rejectUpgrade(socket, 'origin_not_allowed');
 */
export function rejectUpgrade(
  socket: stream.Duplex,
  code: ErrorCode,
  message?: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (socket.destroyed) return;
  const status = ERRORS[code].status;
  const body = JSON.stringify(errorBody(code, message));
  const reason = STATUS_TEXT[status] ?? 'Error';
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      extra +
      '\r\n' +
      body,
  );
  // The peer may never read; don't keep the socket around waiting for it.
  socket.once('finish', () => socket.destroy());
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
