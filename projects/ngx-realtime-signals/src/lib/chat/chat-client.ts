import type { RealtimeError, RealtimeEvent, SocketHandle, SocketSink } from '../core/types';
import type { ChatMessage } from './chat-message';
import { parseServerFrame, toMessageData, type ChatClientFrame, type ChatServerFrame } from './chat-frames';
import { createClientId } from './client-id';
import { PingLoop } from './ping-loop';
import { RoomState } from './room-state';

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

/** The part of a connection attempt the chat client reports to (the reconnect runner's attempt context). */
export interface ChatAttemptContext {
  opened(): void;
  closed(error: RealtimeError): void;
  activity(): void;
}

/** Server error codes after which resending the same message can succeed. */
const RETRYABLE_SEND_ERRORS = new Set(['internal_error', 'not_joined']);

interface Session {
  handle: SocketHandle | null;
  welcomed: boolean;
  ended: boolean;
  readonly ctx: ChatAttemptContext;
  readonly ping: PingLoop;
  welcomeTimer: ReturnType<typeof setTimeout> | null;
}

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
  private session: Session | null = null;
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
    return this.session?.welcomed === true;
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
    if (this.session) this.endSession(this.session, true);
    const session: Session = {
      handle: null,
      welcomed: false,
      ended: false,
      ctx,
      welcomeTimer: null,
      ping: new PingLoop({
        intervalMs: this.options.pingIntervalMs ?? 10_000,
        timeoutMs: this.options.pongTimeoutMs ?? 10_000,
        now: this.now,
        sendPing: (t) => this.write(session, { type: 'ping', t }),
        latency: (ms) => {
          this.latencyMs = ms;
          this.onChange(null);
        },
        timedOut: () => this.fail(session, { code: 'heartbeat_timeout', message: 'No pong from the chat server.', retryable: true }),
      }),
    };
    this.session = session;
    session.welcomeTimer = setTimeout(
      () => this.fail(session, { code: 'network', message: 'The chat server did not answer in time.', retryable: true }),
      this.options.welcomeTimeoutMs ?? 15_000,
    );
    const sink: SocketSink = {
      opened: () => undefined,
      message: (frame) => {
        if (session.ended) return;
        ctx.activity();
        const parsed = parseServerFrame(frame);
        if (parsed) this.handle(session, parsed);
      },
      closed: (error) => {
        if (session.ended) return;
        this.endSession(session, false);
        ctx.closed(error);
      },
    };
    try {
      session.handle = open(sink);
    } catch (e) {
      if (!session.ended) {
        this.endSession(session, false);
        ctx.closed({ code: 'network', message: e instanceof Error ? e.message : String(e), retryable: true });
      }
      return () => undefined;
    }
    if (session.ended) session.handle.close();
    return () => this.endSession(session, true);
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
    if (this.session?.welcomed) this.sendJoin(this.session, state);
    this.onChange(null);
    return state;
  }

  /** Leaves the room and forgets it, including its unsent messages. */
  leave(name: string): void {
    const state = this.rooms.get(name);
    if (!state) return;
    const session = this.session;
    if (session?.welcomed && (state.joined || state.joining)) this.write(session, { type: 'leave', room: name });
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
    if (!state || !session?.welcomed || !state.joined) return;
    const now = this.now();
    if (now - state.lastTypingSentAt < (this.options.typingThrottleMs ?? 2000)) return;
    state.lastTypingSentAt = now;
    this.write(session, { type: 'typing', room: name });
  }

  /** Ends the current attempt (without reporting it) and stops every timer. */
  dispose(): void {
    if (this.session) this.endSession(this.session, true);
    for (const state of this.rooms.values()) state.typing.clear();
  }

  private handle(session: Session, frame: ChatServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        return this.welcome(session, frame.user);
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
      case 'pong':
        return session.ping.pong(frame.t);
      case 'error':
        return this.error(session, frame);
      case 'left':
        return;
    }
  }

  private welcome(session: Session, user: string): void {
    if (session.welcomed) return;
    session.welcomed = true;
    this.clearWelcomeTimer(session);
    this.user = user;
    for (const state of this.rooms.values()) state.log.nameLocal(user);
    session.ctx.opened();
    session.ping.start();
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
      state.gap = { cursor: frame.history.at(-1)?.id ?? since ?? '', at: this.now() };
      this.onChange(null);
    }
    for (const event of frame.history) state.log.receive(event, this.user);
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

  private error(session: Session, frame: Extract<ChatServerFrame, { type: 'error' }>): void {
    const ref = frame.ref;
    if (ref === null) return;
    for (const state of this.rooms.values()) {
      if (!state.outbox.has(ref)) continue;
      if (RETRYABLE_SEND_ERRORS.has(frame.code)) {
        state.outbox.requeue(ref);
        // not_joined means this connection lost the room; the next connection's join repairs it
        if (frame.code !== 'not_joined') this.flush(state);
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
      state.error = { code: frame.code, message: frame.message, retryable: false };
    }
    this.onChange(state.room);
  }

  private sendJoin(session: Session, state: RoomState): void {
    if (state.joined || state.joining) return;
    state.joining = true;
    const since = state.log.cursor;
    this.write(session, since === null ? { type: 'join', room: state.room } : { type: 'join', room: state.room, since });
  }

  /** Sends every queued message of a joined room, oldest first; a message past its attempt budget fails instead. */
  private flush(state: RoomState): void {
    const session = this.session;
    if (!session?.welcomed || !state.joined) return;
    for (const entry of state.outbox.due()) {
      if (entry.attempts >= this.maxSendAttempts) {
        this.failMessage(state, entry.clientId);
        continue;
      }
      state.outbox.markSent(entry);
      this.write(session, { type: 'send', room: state.room, clientId: entry.clientId, text: entry.text });
    }
  }

  private failMessage(state: RoomState, clientId: string): void {
    state.outbox.remove(clientId);
    state.log.updateLocal(clientId, { status: 'failed' });
  }

  private write(session: Session, frame: ChatClientFrame): void {
    if (!session.ended) session.handle?.send(frame);
  }

  /** The attempt failed on our side (no welcome, no pong): close it and report it like a dropped socket. */
  private fail(session: Session, error: RealtimeError): void {
    if (session.ended) return;
    this.endSession(session, true);
    session.ctx.closed(error);
  }

  private endSession(session: Session, closeSocket: boolean): void {
    if (session.ended) return;
    session.ended = true;
    session.ping.stop();
    this.clearWelcomeTimer(session);
    if (this.session === session) this.session = null;
    if (closeSocket) session.handle?.close();
    for (const state of this.rooms.values()) {
      state.joined = state.joining = false;
      state.outbox.connectionLost();
      state.typing.clear();
      this.onChange(state.room);
    }
    this.onChange(null);
  }

  private clearWelcomeTimer(session: Session): void {
    if (session.welcomeTimer !== null) clearTimeout(session.welcomeTimer);
    session.welcomeTimer = null;
  }
}
