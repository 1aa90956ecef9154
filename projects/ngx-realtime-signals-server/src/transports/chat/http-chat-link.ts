import type { ServerResponse } from 'node:http';
import { SseStream } from '../sse-stream.js';
import type { ChatLink } from './chat-link.js';

/**
 * The part of a chat link that HTTP transports share: client frames arrive by
 * POST (`receive`), and the link tells its connection when it is gone.
 */
abstract class HttpChatLink implements ChatLink {
  private readonly frameListeners: ((text: string | null) => void)[] = [];
  private readonly pongListeners: (() => void)[] = [];
  private readonly closeListeners: (() => void)[] = [];
  private gone = false;

  abstract readonly isOpen: boolean;
  abstract readonly bufferedBytes: number;
  abstract send(frame: Buffer): void;
  abstract close(code: number, reason: string): void;
  abstract terminate(): void;

  get isClosed(): boolean {
    return this.gone;
  }

  /** A client frame posted for this connection. */
  receive(text: string): void {
    if (this.gone) return;
    for (const listener of this.frameListeners) listener(text);
  }

  /** An HTTP link proves itself alive by its stream staying open or its polls coming in; both are checked elsewhere. */
  ping(): void {
    if (this.isOpen) for (const listener of this.pongListeners) listener();
  }

  onFrame(listener: (text: string | null) => void): void {
    this.frameListeners.push(listener);
  }

  onPong(listener: () => void): void {
    this.pongListeners.push(listener);
  }

  onClose(listener: () => void): void {
    if (this.gone) listener();
    else this.closeListeners.push(listener);
  }

  /** POST bodies over the limit are refused with 413 before they reach a link. */
  onOversize(): void {}

  protected markClosed(): void {
    if (this.gone) return;
    this.gone = true;
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}

/**
 * The last frame an HTTP chat link sends when the server ends it: what a
 * WebSocket close frame says (code and reason), as a JSON frame.
 */
function closeFrame(code: number, reason: string): Buffer {
  return Buffer.from(JSON.stringify({ type: 'close', code, reason }), 'utf8');
}

export interface SseChatLinkOptions {
  retryMs: number;
  heartbeatMs: number;
  maxBufferedBytes: number;
  onSlowConsumer(): void;
}

const DATA = Buffer.from('data: ');
const END = Buffer.from('\n\n');

/**
 * Chat frames down an SSE stream, one `data:` line of frame JSON each (the
 * JSON never holds a newline). The connection lives as long as the stream;
 * the stream's `: ping` comments keep proxies from closing it as idle.
 */
export class SseChatLink extends HttpChatLink {
  private readonly stream: SseStream;

  constructor(
    private readonly res: ServerResponse,
    options: SseChatLinkOptions,
  ) {
    super();
    this.stream = new SseStream(res, options);
    res.once('close', () => this.markClosed());
    this.stream.open();
  }

  get isOpen(): boolean {
    return !this.stream.closed;
  }

  get bufferedBytes(): number {
    return this.res.writableLength;
  }

  send(frame: Buffer): void {
    this.stream.push(Buffer.concat([DATA, frame, END]).toString('utf8'));
  }

  close(code: number, reason: string): void {
    this.send(closeFrame(code, reason));
    this.stream.end();
  }

  terminate(): void {
    this.stream.destroy();
  }
}

export interface PollChatLinkOptions {
  /** The connection ends when no poll has been held for this long. */
  sessionTimeoutMs: number;
}

/** What a chat poll answers: the frames after `after`, and the sequence number to send as the next `after`. */
export interface ChatPollAnswer {
  /** `{"frames":[...],"seq":n}`, built from the frames' own bytes. */
  readonly body: string;
  /** The link had closed: the next poll gets 404 unknown_connection. */
  readonly ended: boolean;
}

/**
 * Chat frames held for long polls. Each frame has a sequence number; a poll
 * with `after=n` confirms every frame up to n (they are dropped) and gets the
 * rest, so an answer lost on the way is sent again by the next poll. A link
 * with no poll held for `sessionTimeoutMs` is closed: polling is its heartbeat.
 */
export class PollChatLink extends HttpChatLink {
  private readonly queue: { seq: number; frame: Buffer }[] = [];
  private queuedBytes = 0;
  private nextSeq = 1;
  private ending = false;
  private waiter: (() => void) | null = null;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PollChatLinkOptions) {
    super();
    this.armIdleTimer();
  }

  get isOpen(): boolean {
    return !this.ending && !this.isClosed;
  }

  get bufferedBytes(): number {
    return this.queuedBytes;
  }

  /** A poll is waiting for frames. */
  get held(): boolean {
    return this.waiter !== null;
  }

  send(frame: Buffer): void {
    if (this.isClosed) return;
    this.queue.push({ seq: this.nextSeq++, frame });
    this.queuedBytes += frame.length;
    this.waiter?.();
  }

  /** Queues the close frame; the link ends once a poll has taken it (or when polling stops). */
  close(code: number, reason: string): void {
    if (!this.isOpen) return;
    this.send(closeFrame(code, reason));
    this.ending = true;
  }

  terminate(): void {
    clearTimeout(this.idleTimer);
    this.ending = true;
    this.markClosed();
    this.waiter?.();
  }

  /**
   * Confirms the frames up to `after`, then answers with the frames after it: at once when there
   * are some, else when one is sent, the link ends or `timeoutMs` passes. A newer poll answers
   * an older one still held. `gone` resolves when the client went away.
   */
  async poll(after: number, timeoutMs: number, gone: Promise<void>): Promise<ChatPollAnswer> {
    clearTimeout(this.idleTimer);
    while (this.queue.length > 0 && this.queue[0].seq <= after) this.queuedBytes -= this.queue.shift()!.frame.length;
    this.waiter?.();
    if (this.queue.length === 0 && !this.isClosed && timeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          if (this.waiter === wake) this.waiter = null;
          clearTimeout(timer);
          resolve();
        };
        this.waiter = wake;
        timer = setTimeout(wake, timeoutMs);
        void gone.then(wake);
      });
    }
    const frames = [...this.queue];
    const seq = frames.at(-1)?.seq ?? after;
    const body = `{"frames":[${frames.map((entry) => entry.frame.toString('utf8')).join(',')}],"seq":${seq}}`;
    const tookClose = this.ending && frames.length > 0 && frames.at(-1)!.seq === this.nextSeq - 1;
    if (this.isClosed || tookClose) this.terminate();
    else if (this.waiter === null) this.armIdleTimer();
    return { body, ended: this.isClosed };
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.terminate(), this.options.sessionTimeoutMs);
    this.idleTimer.unref();
  }
}
