import { LogUnavailableError, type EventLog } from '../../log/event-log.js';
import { chatTopic } from '../../topic.js';
import { ChatFrameError, CLOSE_CODES } from './chat-errors.js';
import type { ChatMetrics, ChatDropReason } from './chat-metrics.js';
import type { RoomMember } from './room-channel.js';
import type { ChatRooms } from './chat-rooms.js';
import { parseClientFrame } from './frame-parser.js';
import type { ChatLink } from './chat-link.js';
import { encodeFrame, type ChatMessageData, type ClientFrame, type ServerFrame } from './frames.js';
import { FrameRateLimiter } from './rate-limiter.js';
import type { SendDedupStore } from './send-dedup.js';

export interface ChatConnectionDeps {
  log: EventLog;
  rooms: ChatRooms;
  dedup: SendDedupStore;
  metrics: ChatMetrics;
  maxBufferedBytes: number;
  maxRoomsPerConnection: number;
  rateLimit: number;
  rateWindowMs: number;
  /** Called for failures that are the server's fault (never for a client's bad frame). */
  onInternalError(error: unknown, connection: ChatConnection): void;
}

/**
 * One chat connection, over a WebSocket or over HTTP (an SSE or long-poll
 * link that receives the client's frames by POST); the link is the only difference. Frames are handled one at a time, in the
 * order they arrive, so a `send` right after a `join` sees the room joined;
 * the rate limit is checked on arrival, which bounds that queue.
 */
export class ChatConnection implements RoomMember {
  private readonly joined = new Set<string>();
  private readonly rateLimiter: FrameRateLimiter;
  private queue: Promise<void> = Promise.resolve();
  private alive = true;
  /** Set once the server has started closing or dropping the socket: no more frames are handled. */
  private ending = false;
  private closed = false;

  constructor(
    private readonly link: ChatLink,
    readonly id: string,
    readonly user: string,
    private readonly deps: ChatConnectionDeps,
  ) {
    this.rateLimiter = new FrameRateLimiter(deps.rateLimit, deps.rateWindowMs);
    link.onFrame((text) => this.receive(text));
    link.onPong(() => {
      this.alive = true;
    });
    link.onClose(() => this.release());
    link.onOversize(() => this.deps.metrics.dropped('payload_too_large'));
  }

  welcome(heartbeatMs: number): void {
    this.send({ type: 'welcome', connectionId: this.id, user: this.user, heartbeatMs });
  }

  /** Heartbeat tick: a peer that has not answered the previous ping is gone. */
  checkAlive(): void {
    if (this.ending || this.closed) return;
    if (!this.alive) {
      this.drop('heartbeat');
      return;
    }
    this.alive = false;
    this.link.ping();
  }

  /**
   * Writes a frame unless the socket is already too far behind: a slow
   * consumer is cut off rather than buffered without end (it resumes from
   * its cursor with `join.since`). The check comes before the write so one
   * large frame (a long history) still goes out.
   */
  deliver(frame: Buffer): void {
    if (this.closed || !this.link.isOpen) return;
    if (this.link.bufferedBytes > this.deps.maxBufferedBytes) {
      this.drop('slow_consumer');
      return;
    }
    this.link.send(frame);
  }

  resync(): void {
    if (this.ending || this.closed) return;
    this.deps.metrics.dropped('log_reset');
    // The client reconnects and re-joins each room with its cursor, and is told about the gap there.
    this.close(CLOSE_CODES.serviceRestart, 'event log reset');
  }

  close(code: number, reason: string): void {
    this.ending = true;
    this.link.close(code, reason);
  }

  /** Calls `listener` once the socket has closed (at once if it already has). */
  onceClosed(listener: () => void): void {
    if (this.link.isClosed) listener();
    else this.link.onClose(listener);
  }

  terminate(): void {
    this.link.terminate();
  }

  private send(frame: ServerFrame): void {
    this.deliver(encodeFrame(frame));
  }

  /**
   * Cuts the connection off without a close handshake. Leaving the rooms
   * waits for the socket's 'close' event, so a drop in the middle of a
   * broadcast never changes a room while it is being iterated.
   */
  private drop(reason: ChatDropReason): void {
    if (this.ending) return;
    this.ending = true;
    this.deps.metrics.dropped(reason);
    this.link.terminate();
  }

  /** A client frame: its text, or null for a binary frame. */
  private receive(text: string | null): void {
    if (this.ending || this.closed) return;
    if (!this.rateLimiter.allow()) {
      this.deps.metrics.dropped('rate_limit');
      this.close(CLOSE_CODES.policyViolation, 'rate limit exceeded');
      return;
    }
    if (text === null) {
      this.sendError(new ChatFrameError('binary_frame'));
      return;
    }
    let frame: ClientFrame;
    try {
      frame = parseClientFrame(text);
    } catch (error) {
      this.sendError(error);
      return;
    }
    this.queue = this.queue.then(() => this.handle(frame).catch((error: unknown) => this.sendError(error)));
  }

  private async handle(frame: ClientFrame): Promise<void> {
    if (this.ending || this.closed) return;
    switch (frame.type) {
      case 'join':
        return this.join(frame.room, frame.since);
      case 'leave':
        return this.leave(frame.room);
      case 'send':
        return this.sendMessage(frame.room, frame.clientId, frame.text);
      case 'typing':
        this.requireJoined(frame.room).typing(this);
        return;
      case 'ping':
        this.send(frame.t === undefined ? { type: 'pong' } : { type: 'pong', t: frame.t });
        return;
    }
  }

  private async join(room: string, since: string | null): Promise<void> {
    if (this.joined.has(room)) throw new ChatFrameError('already_joined', undefined, room);
    if (this.joined.size >= this.deps.maxRoomsPerConnection) {
      throw new ChatFrameError('too_many_rooms', undefined, room);
    }
    if (since !== null && !this.deps.log.isValidCursor(since)) {
      throw new ChatFrameError('invalid_cursor', undefined, room);
    }
    if (since !== null) this.deps.metrics.resumed();
    this.joined.add(room);
    try {
      const outcome = await this.deps.rooms.open(room).join(this, since);
      if (outcome === null) this.joined.delete(room);
    } catch (error) {
      this.joined.delete(room);
      throw internal(error, room);
    }
  }

  private leave(room: string): void {
    const chatRoom = this.requireJoined(room);
    this.joined.delete(room);
    chatRoom.leave(this);
    this.send({ type: 'left', room });
  }

  private async sendMessage(room: string, clientId: string, text: string): Promise<void> {
    if (!this.joined.has(room)) throw new ChatFrameError('not_joined', undefined, clientId);
    const data: ChatMessageData = { text, from: this.user, clientId };
    const { log } = this.deps;
    // A shared log remembers clientIds itself, so a retry that lands on another instance gets the first ack.
    let appended = log.appendOnce === undefined;
    const { id, fresh } = log.appendOnce
      ? this.deps.dedup.ackFor(room, clientId, () =>
          log.appendOnce!(chatTopic(room), 'message', data, clientId).then((outcome) => {
            appended = outcome.fresh;
            return outcome.id;
          }),
        )
      : this.deps.dedup.ackFor(room, clientId, async () => (await log.append(chatTopic(room), 'message', data)).id);
    let ackId: string;
    try {
      ackId = await id;
    } catch (error) {
      throw internal(error, clientId);
    }
    if (fresh && appended) this.deps.metrics.published();
    this.send({ type: 'ack', clientId, id: ackId });
  }

  private requireJoined(room: string) {
    const chatRoom = this.joined.has(room) ? this.deps.rooms.get(room) : undefined;
    if (!chatRoom || !chatRoom.isActive(this)) throw new ChatFrameError('not_joined', undefined, room);
    return chatRoom;
  }

  private sendError(error: unknown): void {
    let failure: ChatFrameError;
    if (error instanceof InternalChatError) {
      this.deps.onInternalError(error.failure, this);
      failure = error;
    } else if (error instanceof ChatFrameError) {
      failure = error;
    } else {
      this.deps.onInternalError(error, this);
      failure = new ChatFrameError('internal_error');
    }
    const { code, message, ref } = failure;
    this.send(ref === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref });
  }

  /** Leaves every room once the socket has closed, whatever closed it. */
  private release(): void {
    if (this.closed) return;
    this.closed = true;
    for (const room of this.joined) this.deps.rooms.get(room)?.leave(this);
    this.joined.clear();
  }
}

/** A server-side failure while handling a valid frame; reported to the client as `internal_error`. */
class InternalChatError extends ChatFrameError {
  constructor(
    readonly failure: unknown,
    ref: string,
  ) {
    super('internal_error', undefined, ref);
  }
}

function internal(error: unknown, ref: string): ChatFrameError {
  if (error instanceof LogUnavailableError) return new ChatFrameError('log_unavailable', undefined, ref);
  return error instanceof ChatFrameError ? error : new InternalChatError(error, ref);
}
