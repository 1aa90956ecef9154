import { joinRefusedError } from '../errors';
import type { RealtimeEvent } from '../types';
import type { SocketHandle, SocketSink } from '../transports/realtime-transports';
import type { ChatMessage } from './chat-message';
import { toMessageData, type ChatClientFrame, type ChatServerFrame } from './chat-frames';
import { ChatSession, type ChatAttemptContext } from './chat-session';
import { createClientId } from './client-id';
import { RoomState } from './room-state';

export type { ChatAttemptContext } from './chat-session';

export interface ChatClientOptions {
  /** Messages kept per room (BufferSizes.messages). */
  messageBufferSize: number;
  /** A message that went out this many times without an ack is marked failed. Default 8. */
  maxSendAttempts?: number;
  /** Default 10000. */
  pingIntervalMs?: number;
  /** An unanswered ping older than this drops the connection. Default 10000. */
  pongTimeoutMs?: number;
  /** From starting an attempt to the server's `welcome`. Default 15000. */
  welcomeTimeoutMs?: number;
  /** How long a `typing` frame keeps a user listed. Default 3000. */
  typingTtlMs?: number;
  /** At most one `typing` frame per room per this interval. Default 2000. */
  typingThrottleMs?: number;
  now?: () => number;
  createClientId?: () => string;
  /** Something changed: in room `room`, or (null) the client-wide state (user, latency, room list). */
  onChange?: (room: string | null) => void;
}

/**
 * Server error codes after which resending the same message can succeed. `log_unavailable`
 * (the server's shared log is down) is resent with the next send or connection, not at once,
 * so an outage does not turn the outbox into a resend loop.
 */
const RETRYABLE_SEND_ERRORS = new Set(['internal_error', 'not_joined', 'log_unavailable']);

/**
 * The chat protocol without Angular: rooms, outbox, dedup, presence, typing
 * and liveness over whatever socket each attempt opens. One attempt at a time
 * is attached; reconnecting is the caller's business (attach again), and the
 * client makes each new connection pick up where the last one stopped:
 * rooms re-joined with `since`, unacknowledged sends resent with their clientId.
 *
 * @example
 * ```ts
 * const client = new ChatClient({ messageBufferSize: 500, onChange: (room) => render(room) });
 * const room = client.join('lobby');
 * client.send('lobby', 'hi');                               // pending until acked
 * const stop = client.attach((sink) => transports.openSocket({ url }, sink), ctx);
 * ```
 */
export class ChatClient {
  user: string | null = null;
  latencyMs: number | null = null;
  private readonly rooms = new Map<string, RoomState>();
  private session: ChatSession | null = null;
  private roomList: readonly RoomState[] = [];
  private readonly now: () => number;
  private readonly newClientId: () => string;
  private readonly onChange: (room: string | null) => void;
  private readonly maxSendAttempts: number;

  constructor(private readonly options: ChatClientOptions) {
    this.now = options.now ?? Date.now;
    this.newClientId = options.createClientId ?? createClientId;
    this.onChange = options.onChange ?? (() => undefined);
    this.maxSendAttempts = options.maxSendAttempts ?? 8;
  }

  /** Rooms joined by the app, in join order; the same array until one is joined or left. */
  get joinedRooms(): readonly RoomState[] {
    return this.roomList;
  }

  /** True between the server's `welcome` and the end of the connection. */
  get isOpen(): boolean {
    return this.session?.isOpen === true;
  }

  room(name: string): RoomState | undefined {
    return this.rooms.get(name);
  }

  /**
   * Runs one connection attempt over the socket `open` creates. Returns the
   * attempt's teardown (closes the socket, stops every timer); after
   * `ctx.closed()` the attempt has already cleaned up.
   */
  attach(open: (sink: SocketSink) => SocketHandle, ctx: ChatAttemptContext): () => void {
    this.session?.close();
    const session: ChatSession = new ChatSession(
      ctx,
      {
        pingIntervalMs: this.options.pingIntervalMs ?? 10_000,
        pongTimeoutMs: this.options.pongTimeoutMs ?? 10_000,
        welcomeTimeoutMs: this.options.welcomeTimeoutMs ?? 15_000,
        now: this.now,
      },
      {
        frame: (frame) => this.handle(session, frame),
        latency: (ms) => {
          this.latencyMs = ms;
          this.onChange(null);
        },
        ended: () => this.sessionEnded(session),
      },
    );
    this.session = session;
    session.start(open);
    return () => session.close();
  }

  /** Starts tracking `room` (joined on the current or next connection); returns the existing state if already joined. */
  join(name: string): RoomState {
    let state = this.rooms.get(name);
    if (state) return state;
    state = new RoomState(name, this.options.messageBufferSize, this.options.typingTtlMs ?? 3000, this.now, () =>
      this.onChange(name),
    );
    this.rooms.set(name, state);
    this.roomList = [...this.rooms.values()];
    if (this.session?.isOpen) this.sendJoin(this.session, state);
    this.onChange(null);
    return state;
  }

  /** Leaves the room and forgets it, including its unsent messages. */
  leave(name: string): void {
    const state = this.rooms.get(name);
    if (!state) return;
    const session = this.session;
    if (session?.isOpen && (state.joined || state.joining)) session.send({ type: 'leave', room: name });
    state.typing.clear();
    state.outbox.clear();
    state.joined = state.joining = false;
    this.rooms.delete(name);
    this.roomList = [...this.rooms.values()];
    this.onChange(name);
    this.onChange(null);
  }

  /** Adds a pending message to the room and queues it; it goes out as soon as the room is joined. */
  send(name: string, text: string): ChatMessage {
    const state = this.join(name);
    const clientId = this.newClientId();
    const message: ChatMessage = {
      clientId,
      id: null,
      room: name,
      from: this.user ?? '',
      text,
      ts: this.now(),
      status: 'pending',
      mine: true,
    };
    state.log.addLocal(message);
    state.outbox.enqueue(clientId, text);
    this.flush(state);
    this.onChange(name);
    return message;
  }

  /** Queues a failed message again (same clientId, fresh attempt budget). */
  retry(name: string, clientId: string): void {
    const state = this.rooms.get(name);
    const message = state?.log.findLocal(clientId);
    if (!state || !message || message.status !== 'failed') return;
    state.log.updateLocal(clientId, { status: 'pending' });
    state.outbox.enqueue(clientId, message.text);
    this.flush(state);
    this.onChange(name);
  }

  /** Tells the room this user is typing, at most once per throttle interval. */
  setTyping(name: string): void {
    const state = this.rooms.get(name);
    const session = this.session;
    if (!state || !session?.isOpen || !state.joined) return;
    const now = this.now();
    if (now - state.lastTypingSentAt < (this.options.typingThrottleMs ?? 2000)) return;
    state.lastTypingSentAt = now;
    session.send({ type: 'typing', room: name });
  }

  /** Ends the current attempt (without reporting it) and stops every timer. */
  dispose(): void {
    this.session?.close();
    for (const state of this.rooms.values()) state.typing.clear();
  }

  private handle(session: ChatSession, frame: ChatServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        return this.welcome(session, frame.user);
      case 'pong':
        return;
      case 'joined':
        return this.joined(frame);
      case 'message':
        return this.message(frame.room, frame.event);
      case 'ack':
        return this.ack(frame.clientId, frame.id);
      case 'presence':
        return this.presence(frame);
      case 'typing': {
        const state = this.rooms.get(frame.room);
        if (state && frame.user !== this.user) state.typing.touch(frame.user);
        return;
      }
      case 'error':
        return this.error(session, frame);
      case 'left':
        return;
    }
  }

  private welcome(session: ChatSession, user: string): void {
    this.user = user;
    for (const state of this.rooms.values()) state.log.nameLocal(user);
    for (const state of this.rooms.values()) this.sendJoin(session, state);
    this.onChange(null);
  }

  private joined(frame: Extract<ChatServerFrame, { type: 'joined' }>): void {
    const state = this.rooms.get(frame.room);
    if (!state || !state.joining) return;
    state.joining = false;
    state.joined = true;
    state.error = null;
    if (frame.reset) {
      const since = state.log.cursor;
      state.log.forgetCursor();
      state.gap = { cursor: frame.cursor ?? frame.history.at(-1)?.id ?? since ?? '', at: this.now() };
      this.onChange(null);
    }
    for (const event of frame.history) state.log.receive(event, this.user);
    // the server's position covers an empty history too: the next join asks `since` it, missing nothing
    if (frame.cursor !== null) state.log.moveTo(frame.cursor);
    state.members = frame.members;
    state.memberCount = frame.count;
    this.flush(state);
    this.onChange(frame.room);
  }

  private message(room: string, event: RealtimeEvent): void {
    const state = this.rooms.get(room);
    if (!state || !state.log.receive(event, this.user)) return;
    const from = toMessageData(event)?.from;
    if (from) state.typing.remove(from);
    this.onChange(room);
  }

  private ack(clientId: string, id: string): void {
    for (const state of this.rooms.values()) {
      if (!state.outbox.remove(clientId)) continue;
      state.log.updateLocal(clientId, { status: 'sent', id });
      this.onChange(state.room);
      return;
    }
  }

  private presence(frame: Extract<ChatServerFrame, { type: 'presence' }>): void {
    const state = this.rooms.get(frame.room);
    if (!state || !state.joined) return;
    const left = new Set(frame.left);
    const members = state.members.filter((m) => !left.has(m));
    for (const user of frame.joined) if (!members.includes(user)) members.push(user);
    state.members = members;
    state.memberCount = frame.count ?? members.length;
    for (const user of frame.left) state.typing.remove(user);
    this.onChange(frame.room);
  }

  private error(session: ChatSession, frame: Extract<ChatServerFrame, { type: 'error' }>): void {
    const ref = frame.ref;
    if (ref === null) return;
    for (const state of this.rooms.values()) {
      if (!state.outbox.has(ref)) continue;
      if (RETRYABLE_SEND_ERRORS.has(frame.code)) {
        state.outbox.requeue(ref);
        // not_joined means this connection lost the room; the next connection's join repairs it
        if (frame.code === 'internal_error') this.flush(state);
      } else {
        this.failMessage(state, ref);
      }
      this.onChange(state.room);
      return;
    }
    const state = this.rooms.get(ref);
    if (!state || !state.joining) return;
    state.joining = false;
    if (frame.code === 'invalid_cursor') {
      // this server cannot resume from our cursor (e.g. a different log): start over with its recent history
      state.log.forgetCursor();
      this.sendJoin(session, state);
    } else if (frame.code === 'already_joined') {
      state.joined = true;
      this.flush(state);
    } else {
      state.error = joinRefusedError(frame.code, frame.message);
    }
    this.onChange(state.room);
  }

  private sendJoin(session: ChatSession, state: RoomState): void {
    if (state.joined || state.joining) return;
    state.joining = true;
    const since = state.log.cursor;
    const frame: ChatClientFrame = since === null ? { type: 'join', room: state.room } : { type: 'join', room: state.room, since };
    session.send(frame);
  }

  /** Sends every queued message of a joined room, oldest first; a message past its attempt budget fails instead. */
  private flush(state: RoomState): void {
    const session = this.session;
    if (!session?.isOpen || !state.joined) return;
    for (const entry of state.outbox.due()) {
      if (entry.attempts >= this.maxSendAttempts) {
        this.failMessage(state, entry.clientId);
        continue;
      }
      state.outbox.markSent(entry);
      session.send({ type: 'send', room: state.room, clientId: entry.clientId, text: entry.text });
    }
  }

  private failMessage(state: RoomState, clientId: string): void {
    state.outbox.remove(clientId);
    state.log.updateLocal(clientId, { status: 'failed' });
  }

  /** However the session ended: rooms wait for the next join, in-flight sends go again on the next connection. */
  private sessionEnded(session: ChatSession): void {
    if (this.session === session) this.session = null;
    this.latencyMs = null;
    for (const state of this.rooms.values()) {
      state.joined = state.joining = false;
      state.outbox.connectionLost();
      state.typing.clear();
      this.onChange(state.room);
    }
    this.onChange(null);
  }
}
