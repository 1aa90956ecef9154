import WebSocket from 'ws';

/** A server frame as the tests see it. */
export type Frame = { type: string } & Record<string, any>;

const DEFAULT_WAIT_MS = 10_000;

/**
 * A real `ws` client that records every frame it receives, so a test can wait
 * for a frame by condition instead of sleeping.
 */
export class ChatTestClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? { type: '<binary>' } : (JSON.parse(data.toString()) as Frame));
      this.notify();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.notify();
      });
    });
    socket.on('error', () => undefined);
  }

  /** Connects and waits for `welcome`. */
  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<ChatTestClient> {
    const client = new ChatTestClient(new WebSocket(url, options));
    await client.next('welcome');
    return client;
  }

  /** Opens a socket without waiting for anything (for refusals and raw behaviour). */
  static open(url: string, options: WebSocket.ClientOptions = {}): ChatTestClient {
    return new ChatTestClient(new WebSocket(url, options));
  }

  get welcome(): Frame {
    const frame = this.frames.find((f) => f.type === 'welcome');
    if (!frame) throw new Error('no welcome frame yet');
    return frame;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Frames of `type` received so far, optionally filtered. */
  all(type: string, where: (frame: Frame) => boolean = () => true): Frame[] {
    return this.frames.filter((frame) => frame.type === type && where(frame));
  }

  /** Waits for the first frame (received before or after the call) of `type` that matches `where`. */
  next(type: string, where: (frame: Frame) => boolean = () => true, timeoutMs = DEFAULT_WAIT_MS): Promise<Frame> {
    return this.until(() => this.all(type, where)[0], `a ${type} frame`, timeoutMs);
  }

  /** Waits for the n-th (1-based) frame of `type` that matches `where`. */
  nth(n: number, type: string, where: (frame: Frame) => boolean = () => true, timeoutMs = DEFAULT_WAIT_MS) {
    return this.until(() => this.all(type, where)[n - 1], `${n} ${type} frames`, timeoutMs);
  }

  /** Waits until `read` returns something other than undefined, re-checking after each frame. */
  until<T>(read: () => T | undefined, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const value = read();
        if (value === undefined) return false;
        cleanup();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        const seen = this.frames.map((f) => f.type).join(', ');
        reject(new Error(`timed out waiting for ${what}; received: [${seen}]`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      if (!check()) this.waiters.add(check);
    });
  }

  /** Joins and waits for the matching `joined` frame. */
  async join(room: string, since?: string): Promise<Frame> {
    const before = this.all('joined', (f) => f.room === room).length;
    this.send(since === undefined ? { type: 'join', room } : { type: 'join', room, since });
    return this.nth(before + 1, 'joined', (f) => f.room === room);
  }

  /** Sends a message and waits for its ack. */
  async say(room: string, clientId: string, text: string): Promise<Frame> {
    const before = this.all('ack', (f) => f.clientId === clientId).length;
    this.send({ type: 'send', room, clientId, text });
    return this.nth(before + 1, 'ack', (f) => f.clientId === clientId);
  }

  /** Round trip through the server: every frame the server sent before the pong has arrived. */
  async sync(): Promise<void> {
    const token = `sync-${Math.random().toString(36).slice(2)}`;
    this.send({ type: 'ping', t: token });
    await this.next('pong', (f) => f.t === token);
  }

  async close(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) {
      this.socket.close();
      await this.closed;
    }
  }

  private notify(): void {
    for (const check of [...this.waiters]) check();
  }
}

/** Polls `condition` until it holds (for server-side state that no frame announces). */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
