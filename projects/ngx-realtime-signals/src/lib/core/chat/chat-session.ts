import { networkError, realtimeError } from '../errors';
import type { RealtimeError } from '../types';
import type { SocketHandle, SocketSink } from '../transports/realtime-transports';
import { parseServerFrame, type ChatClientFrame, type ChatServerFrame } from './chat-frames';
import { PingLoop } from './ping-loop';

/** The part of a connection attempt a chat session reports to (the reconnect runner's attempt context). */
export interface ChatAttemptContext {
  opened(): void;
  closed(error: RealtimeError): void;
  activity(): void;
}

export interface ChatSessionOptions {
  pingIntervalMs: number;
  pongTimeoutMs: number;
  welcomeTimeoutMs: number;
  now: () => number;
}

export interface ChatSessionListener {
  /** Every valid frame, after the session has handled its own part (welcome opens, pong measures). */
  frame(frame: ChatServerFrame): void;
  latency(ms: number): void;
  /** The session is over, however it ended (called once). */
  ended(): void;
}

/**
 * One chat socket from opening to its end: it counts as open at the server's
 * `welcome`, pings while open (a missing pong or welcome drops it), and ends
 * exactly once, reporting to the attempt context unless the owner closed it.
 */
export class ChatSession {
  private handle: SocketHandle | null = null;
  private welcomed = false;
  private ended = false;
  private welcomeTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly ping: PingLoop;

  constructor(
    private readonly ctx: ChatAttemptContext,
    private readonly options: ChatSessionOptions,
    private readonly listener: ChatSessionListener,
  ) {
    this.ping = new PingLoop({
      intervalMs: options.pingIntervalMs,
      timeoutMs: options.pongTimeoutMs,
      now: options.now,
      sendPing: (t) => this.send({ type: 'ping', t }),
      latency: (ms) => listener.latency(ms),
      timedOut: () => this.fail(realtimeError('heartbeat_timeout', 'No pong from the chat server.', true)),
    });
  }

  /** True between the server's `welcome` and the end. */
  get isOpen(): boolean {
    return this.welcomed && !this.ended;
  }

  /** Opens the socket through `open`. */
  start(open: (sink: SocketSink) => SocketHandle): void {
    this.welcomeTimer = setTimeout(
      () => this.fail(realtimeError('network', 'The chat server did not answer in time.', true)),
      this.options.welcomeTimeoutMs,
    );
    const sink: SocketSink = {
      opened: () => undefined,
      message: (raw) => {
        if (this.ended) return;
        this.ctx.activity();
        const frame = parseServerFrame(raw);
        if (frame) this.receive(frame);
      },
      closed: (error) => {
        if (this.ended) return;
        this.end(false);
        this.ctx.closed(error);
      },
    };
    try {
      this.handle = open(sink);
    } catch (e) {
      this.fail(networkError(e));
      return;
    }
    if (this.ended) this.handle.close();
  }

  send(frame: ChatClientFrame): void {
    if (!this.ended) this.handle?.send(frame);
  }

  /** The owner ends the session (teardown): the socket closes, nothing is reported. */
  close(): void {
    this.end(true);
  }

  private receive(frame: ChatServerFrame): void {
    if (frame.type === 'welcome') {
      if (this.welcomed) return;
      this.welcomed = true;
      this.clearWelcomeTimer();
      this.ctx.opened();
      this.ping.start();
    } else if (frame.type === 'pong') {
      this.ping.pong(frame.t);
      return;
    }
    this.listener.frame(frame);
  }

  /** The session failed on our side (no welcome, no pong, socket not opened): close it and report it like a drop. */
  private fail(error: RealtimeError): void {
    if (this.ended) return;
    this.end(true);
    this.ctx.closed(error);
  }

  private end(closeSocket: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.ping.stop();
    this.clearWelcomeTimer();
    if (closeSocket) this.handle?.close();
    this.listener.ended();
  }

  private clearWelcomeTimer(): void {
    if (this.welcomeTimer !== null) clearTimeout(this.welcomeTimer);
    this.welcomeTimer = null;
  }
}
