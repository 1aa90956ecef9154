import { httpError, networkError, realtimeError, socketClosedError } from '../errors';
import type { RealtimeError } from '../types';
import type { SocketHandle, SocketRequest, SocketSink } from './realtime-transports';

/** The part of a WebSocket constructor this transport uses; the browser's and the `ws` package's both fit. */
export type WebSocketConstructor = new (url: string) => WebSocket;

const OPEN = 1;
/** How the `ws` package reports a refused upgrade; browsers do not expose the status at all. */
const UPGRADE_STATUS = /Unexpected server response: (\d{3})/;

/**
 * Opens one chat WebSocket: JSON text frames both ways, every way of ending
 * reported exactly once through `sink.closed` as a {@link RealtimeError}.
 * Close code 4401 (the token expired) is `token_expired`, which the connection
 * retries at once with a fresh token; 1008 is final (not retryable); any other
 * close is `socket_closed` and retryable. A refused upgrade seen through the `ws`
 * package (e.g. HTTP 401) becomes `http_error` with that `status` and its retry rule.
 *
 * @example
 * ```ts
 * const handle = openWebSocket(WebSocket, { url: 'wss://example.com/api/chat?name=ada' }, {
 *   opened: () => handle.send({ type: 'join', room: 'lobby' }),
 *   message: (frame) => console.log(frame.type),
 *   closed: (error) => console.log(error.code, error.retryable),
 * });
 * ```
 */
export function openWebSocket(
  ctor: WebSocketConstructor | null | undefined,
  req: SocketRequest,
  sink: SocketSink,
): SocketHandle {
  let done = false;
  const finish = (error: RealtimeError) => {
    if (done) return;
    done = true;
    sink.closed(error);
  };
  if (typeof ctor !== 'function') {
    queueMicrotask(() => finish(realtimeError('unsupported', 'No WebSocket implementation is available.', false)));
    return { send: () => undefined, close: () => void (done = true) };
  }

  let socket: WebSocket;
  try {
    socket = new ctor(req.url);
  } catch (e) {
    // the constructor throws only for a URL no retry can fix
    queueMicrotask(() => finish(realtimeError('invalid_url', e instanceof Error ? e.message : String(e), false)));
    return { send: () => undefined, close: () => void (done = true) };
  }

  let opened = false;
  let refused: RealtimeError | null = null;
  // Listeners stay attached after close: the `ws` package throws on an 'error' event nobody listens to.
  socket.addEventListener('open', () => {
    opened = true;
    if (!done) sink.opened();
  });
  socket.addEventListener('message', (ev: MessageEvent) => {
    if (done || typeof ev.data !== 'string') return;
    const frame = parseFrame(ev.data);
    if (frame) sink.message(frame);
  });
  socket.addEventListener('error', (ev: Event) => {
    const status = UPGRADE_STATUS.exec(String((ev as ErrorEvent).message ?? ''))?.[1];
    if (!opened && status !== undefined) refused = httpError(Number(status));
  });
  socket.addEventListener('close', (ev: CloseEvent) => {
    if (refused) finish(refused);
    else if (!opened) finish(networkError(`could not connect to ${stripQuery(req.url)} (close code ${ev.code})`));
    else finish(socketClosedError(ev.code, ev.reason));
  });

  return {
    send(frame) {
      if (!done && socket.readyState === OPEN) socket.send(JSON.stringify(frame));
    },
    close() {
      if (done) return;
      done = true;
      socket.close(1000, 'client closed');
    },
  };
}

function parseFrame(text: string): { type: string; [k: string]: unknown } | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string') {
      return value as { type: string; [k: string]: unknown };
    }
  } catch {
    // a frame that is not JSON is not ours to act on
  }
  return null;
}

/** Keeps access tokens out of error messages. */
function stripQuery(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? url : url.slice(0, i);
}
