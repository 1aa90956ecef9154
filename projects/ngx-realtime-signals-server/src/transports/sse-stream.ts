import type { ServerResponse } from 'node:http';
import { commentFrame, retryFrame } from '../sse-frame.js';

export interface SseStreamOptions {
  retryMs: number;
  heartbeatMs: number;
  /** Unsent bytes past which a live write drops the stream. */
  maxBufferedBytes: number;
  /** Called once when the stream is dropped for not reading. */
  onSlowConsumer(): void;
}

/**
 * One open event stream: the response head, the heartbeat, and writes that
 * either keep pace with the reader (backlog) or drop a reader that fell too
 * far behind (live). Subscription logic stays in the SSE route.
 */
export class SseStream {
  private heartbeat: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly options: SseStreamOptions,
  ) {
    res.once('close', () => this.stop());
  }

  get closed(): boolean {
    return this.ended || this.res.destroyed || this.res.writableEnded;
  }

  /** Sends the head and the `retry:` line, and starts the heartbeat. */
  open(): void {
    this.res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    this.res.socket?.setNoDelay(true);
    this.push(retryFrame(this.options.retryMs));
    this.heartbeat = setInterval(() => this.push(commentFrame('ping')), this.options.heartbeatMs);
  }

  /** A live write; a reader whose unsent buffer passes the bound is dropped (it resumes from its cursor). */
  push(frame: string): boolean {
    if (this.closed) return false;
    this.res.write(frame);
    if (this.res.writableLength > this.options.maxBufferedBytes) {
      this.dropSlowConsumer();
      return false;
    }
    return true;
  }

  /** A backlog write: waits for the reader instead of counting it as slow. Resolves false once closed. */
  async pace(frame: string): Promise<boolean> {
    if (this.closed) return false;
    if (!this.res.write(frame)) await drained(this.res);
    return !this.closed;
  }

  dropSlowConsumer(): void {
    if (this.closed) return;
    this.stop();
    this.options.onSlowConsumer();
    this.res.destroy();
  }

  /** Ends the stream normally (shutdown). */
  end(): void {
    this.stop();
    if (!this.res.writableEnded) this.res.end();
  }

  /** Cuts the stream (an internal failure). */
  destroy(): void {
    this.stop();
    this.res.destroy();
  }

  private stop(): void {
    this.ended = true;
    clearInterval(this.heartbeat);
  }
}

/** Resolves when the response can take more data, or when it closes. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
