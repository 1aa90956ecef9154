import type WebSocket from 'ws';

/**
 * What carries one chat connection's frames: a WebSocket, or an HTTP link
 * (frames down an SSE stream or long-poll answers, client frames up by POST).
 * ChatConnection speaks only to this, so acks, idempotency, rooms and presence
 * are one implementation whatever the transport.
 */
export interface ChatLink {
  /** Frames can still be written. */
  readonly isOpen: boolean;
  /** The link has closed for good (its close listeners have run). */
  readonly isClosed: boolean;
  /** Bytes written but not yet taken by the client. */
  readonly bufferedBytes: number;
  /** Writes one encoded server frame (the same Buffer may go to many links; never mutated). */
  send(frame: Buffer): void;
  /** Ends the link in order, telling the client the code and reason. */
  close(code: number, reason: string): void;
  /** Cuts the link off at once. */
  terminate(): void;
  /** Heartbeat: asks the peer for a sign of life, answered through `onPong`. */
  ping(): void;
  /** Each client frame: its text, or null for a binary frame. */
  onFrame(listener: (text: string | null) => void): void;
  onPong(listener: () => void): void;
  /** Called once when the link has closed, whoever closed it. */
  onClose(listener: () => void): void;
  /** The client sent a frame over the size limit (the link closes itself). */
  onOversize(listener: () => void): void;
}

// WebSocket.OPEN / CLOSED, without a runtime import of ws in this module.
const OPEN = 1;
const CLOSED = 3;

const LINK = Symbol('chat link');
type LinkedSocket = WebSocket & { [LINK]: WebSocketLink };

/**
 * A `ws` socket as a ChatLink. It adds no closure per socket: four module-level listeners find
 * the link through the socket (EventEmitter calls a listener with the socket as `this`), and the
 * connection's listeners are kept here. Thousands of sockets each carried a dozen closures and
 * `once` wrappers before.
 */
export class WebSocketLink implements ChatLink {
  private frameListener: ((text: string | null) => void) | undefined;
  private pongListener: (() => void) | undefined;
  private oversizeListener: (() => void) | undefined;
  private closeListeners: (() => void)[] | undefined;

  constructor(private readonly socket: WebSocket) {
    (socket as LinkedSocket)[LINK] = this;
    socket.on('message', onSocketMessage);
    socket.on('pong', onSocketPong);
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
  }

  get isOpen(): boolean {
    return this.socket.readyState === OPEN;
  }

  get isClosed(): boolean {
    return this.socket.readyState === CLOSED;
  }

  get bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  send(frame: Buffer): void {
    this.socket.send(frame, { binary: false });
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  terminate(): void {
    this.socket.terminate();
  }

  ping(): void {
    this.socket.ping();
  }

  onFrame(listener: (text: string | null) => void): void {
    this.frameListener = chain(this.frameListener, listener);
  }

  onPong(listener: () => void): void {
    this.pongListener = chain(this.pongListener, listener);
  }

  onClose(listener: () => void): void {
    (this.closeListeners ??= []).push(listener);
  }

  onOversize(listener: () => void): void {
    this.oversizeListener = chain(this.oversizeListener, listener);
  }

  // Called by the socket listeners below.
  emitFrame(text: string | null): void {
    this.frameListener?.(text);
  }

  emitPong(): void {
    this.pongListener?.();
  }

  emitClose(): void {
    const listeners = this.closeListeners;
    this.closeListeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  emitOversize(): void {
    this.oversizeListener?.();
  }
}

/** One listener as it is; a second one (rare: tests) runs after the first. */
function chain<A extends unknown[]>(first: ((...args: A) => void) | undefined, next: (...args: A) => void): (...args: A) => void {
  return first === undefined
    ? next
    : (...args: A) => {
        first(...args);
        next(...args);
      };
}

function onSocketMessage(this: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
  (this as LinkedSocket)[LINK].emitFrame(isBinary ? null : rawToString(data));
}

function onSocketPong(this: WebSocket): void {
  (this as LinkedSocket)[LINK].emitPong();
}

function onSocketClose(this: WebSocket): void {
  (this as LinkedSocket)[LINK].emitClose();
}

function onSocketError(this: WebSocket, error: Error & { code?: string }): void {
  // ws has already closed with 1009 for an oversized frame; other errors end in 'close' too.
  if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') (this as LinkedSocket)[LINK].emitOversize();
}

function rawToString(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
