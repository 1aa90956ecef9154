import { type RealtimeError, type RealtimeEvent, type ɵSocketRequest as SocketRequest, type ɵSocketSink as SocketSink, ɵsocketClosedError as socketClosedError } from 'ngx-realtime-signals';
import { completeEvent } from './event-defaults';
import { type ChatFrame, describeFrameMatch, frameMatches, type SentFrameMatch } from './sent-frame-match';
import { type ConnectionHost, TestConnectionBase } from './test-connection';

/**
 * A chat message as the test sends it; everything but `text` has a default.
 *
 * @example
 * ```ts
 * socket.joined('lobby', { history: [{ text: 'earlier', from: 'bob' }] });
 * ```
 */
export interface TestChatMessageInit {
  text: string;
  /** Default 'someone'. */
  from?: string;
  clientId?: string | null;
  id?: string;
  ts?: number;
}

/**
 * One chat WebSocket the client opened; the test plays the server: it reads the frames
 * the client sent and answers with `welcome`, `joined`, `message`, `ack`, `error`, ...
 *
 * @example
 * ```ts
 * const socket = realtime.expectOne({ transport: 'chat' });
 * socket.welcome({ user: 'ada' });
 * socket.expectSent({ type: 'join', room: 'lobby' });
 * socket.joined('lobby', { members: ['ada', 'bob'] });
 * room.send('hi');
 * socket.ack();                                   // the oldest unacknowledged send
 * socket.message('lobby', { text: 'hello', from: 'bob' });
 * ```
 */
export class TestSocket extends TestConnectionBase {
  readonly transport = 'chat' as const;
  /** Every frame the client sent, oldest first. */
  readonly sent: ChatFrame[] = [];
  private opened = false;
  private readonly settledSends = new Set<string>();

  constructor(
    /** What the client asked for: the full ws(s):// URL with its query. */
    readonly request: SocketRequest,
    private readonly sink: SocketSink,
    host: ConnectionHost,
  ) {
    super(host);
  }

  get url(): string {
    return this.request.url;
  }

  /** The URL's query parameters (`name`, `access_token`). */
  get params(): URLSearchParams {
    return new URL(this.url, 'ws://localhost/').searchParams;
  }

  /** Rooms the client joined over this socket and has not left. */
  get rooms(): string[] {
    const rooms = new Set<string>();
    for (const frame of this.sent) {
      if (typeof frame['room'] !== 'string') continue;
      if (frame.type === 'join') rooms.add(frame['room']);
      if (frame.type === 'leave') rooms.delete(frame['room']);
    }
    return [...rooms];
  }

  /** `send` frames the test has neither acknowledged nor failed, oldest first. */
  get unacknowledged(): ChatFrame[] {
    return this.sent.filter((f) => f.type === 'send' && !this.settledSends.has(String(f['clientId'])));
  }

  /** Called by the testing transports for each frame the client sends. */
  record(frame: ChatFrame): void {
    if (!this.active) throw new Error(`The client sent a ${frame.type} frame on ${this.describe()}.`);
    this.sent.push(frame);
  }

  /** The socket's `open` event. */
  open(): this {
    this.assertActive('open the socket');
    if (!this.opened) {
      this.opened = true;
      this.host.delivering();
      this.sink.opened();
    }
    return this;
  }

  /** Any frame from the server, as is (opens the socket first if needed). */
  receive(frame: ChatFrame): this {
    this.assertActive(`send a ${frame.type} frame`);
    this.open();
    this.host.delivering();
    this.sink.message(frame);
    return this;
  }

  /** The server's greeting; `user` defaults to the `name` query parameter, else 'guest'. */
  welcome(init: { user?: string; connectionId?: string; heartbeatMs?: number } = {}): this {
    return this.receive({
      type: 'welcome',
      connectionId: init.connectionId ?? 'c1',
      user: init.user ?? this.params.get('name') ?? 'guest',
      ...(init.heartbeatMs === undefined ? {} : { heartbeatMs: init.heartbeatMs }),
    });
  }

  /**
   * Confirms a join: members (default none), history messages oldest first, `reset` for a gap,
   * `cursor` (default: the last history id, else a fresh id) for a later re-join.
   */
  joined(
    room: string,
    init: { members?: string[]; count?: number; history?: TestChatMessageInit[]; cursor?: string; reset?: boolean } = {},
  ): this {
    const members = init.members ?? [];
    const history = (init.history ?? []).map((m) => this.chatEvent(room, m));
    return this.receive({
      type: 'joined',
      room,
      members,
      count: init.count ?? members.length,
      history,
      cursor: init.cursor ?? history.at(-1)?.id ?? this.host.ids.next(),
      ...(init.reset ? { reset: true } : {}),
    });
  }

  /** A chat message broadcast to `room`; returns the event it carried. */
  message(room: string, init: TestChatMessageInit): RealtimeEvent {
    const event = this.chatEvent(room, init);
    this.receive({ type: 'message', room, event });
    return event;
  }

  /** Acknowledges a send (default: the oldest unacknowledged one); returns the server id given to it. */
  ack(clientId?: string, id: string = this.host.ids.next()): { clientId: string; id: string } {
    const ref = clientId ?? this.oldestUnacknowledged('acknowledge');
    this.settledSends.add(ref);
    this.receive({ type: 'ack', clientId: ref, id });
    return { clientId: ref, id };
  }

  /** Acknowledges every pending send, oldest first. */
  ackAll(): { clientId: string; id: string }[] {
    return this.unacknowledged.map((frame) => this.ack(String(frame['clientId'])));
  }

  /** Refuses a send (default: the oldest unacknowledged one) with an `error` frame that refers to it. */
  failSend(clientId?: string, code = 'bad_request', message = 'The message was refused.'): this {
    const ref = clientId ?? this.oldestUnacknowledged('fail');
    this.settledSends.add(ref);
    return this.error({ code, message, ref });
  }

  /** An `error` frame. */
  error(init: { code: string; message?: string; ref?: string }): this {
    return this.receive({ type: 'error', code: init.code, message: init.message ?? init.code, ...(init.ref ? { ref: init.ref } : {}) });
  }

  /** A presence delta for `room`. */
  presence(room: string, init: { joined?: string[]; left?: string[]; count?: number }): this {
    return this.receive({ type: 'presence', room, joined: init.joined ?? [], left: init.left ?? [], ...(init.count === undefined ? {} : { count: init.count }) });
  }

  /** `user` is typing in `room`. */
  typing(room: string, user: string): this {
    return this.receive({ type: 'typing', room, user });
  }

  /** Confirms the client left `room`. */
  left(room: string): this {
    return this.receive({ type: 'left', room });
  }

  /** Answers the latest `ping` the client sent (or `t`). */
  pong(t?: number): this {
    const ping = [...this.sent].reverse().find((f) => f.type === 'ping');
    return this.receive({ type: 'pong', t: t ?? ping?.['t'] ?? null });
  }

  /**
   * The first frame the client sent that matches; throws a message listing what it did send.
   * A frame object matches when every field it names is equal (compared as JSON).
   */
  expectSent(match: SentFrameMatch): ChatFrame {
    const found = this.sent.find((frame) => frameMatches(frame, match));
    if (found) return found;
    const sent = this.sent.length ? this.sent.map((f) => `\n  ${JSON.stringify(f)}`).join('') : ' nothing';
    throw new Error(`Expected the client to have sent ${describeFrameMatch(match)} on ${this.describe()}; it sent:${sent}`);
  }

  /** Every frame sent that matches (all of them without an argument). */
  sentFrames(match?: SentFrameMatch): ChatFrame[] {
    return match === undefined ? [...this.sent] : this.sent.filter((frame) => frameMatches(frame, match));
  }

  /** Closes the socket with a retryable error (close code 1006 unless given); the client reconnects after its backoff. */
  drop(closeCode = 1006): void {
    this.close({ ...socketClosedError(closeCode), retryable: true });
  }

  /**
   * Closes the socket as the real transport reports a close code, or with a complete error value:
   * 4401 is `token_expired` (the client reconnects at once with a fresh token), 1008 (policy
   * violation) is final, any other code is a retryable `socket_closed`.
   */
  fail(failure: number | RealtimeError): void {
    this.close(typeof failure === 'number' ? socketClosedError(failure) : failure);
  }

  /** Drops the socket and resolves with the client's next chat socket (after its backoff delay). */
  async reconnect(closeCode?: number): Promise<TestSocket> {
    this.drop(closeCode);
    return (await this.host.expectNext({ transport: 'chat' })) as TestSocket;
  }

  describe(): string {
    const rooms = this.rooms;
    return `chat ${this.url} (rooms: ${rooms.length ? rooms.join(', ') : 'none'}, ${this.lifeCycle()})`;
  }

  protected lifeCycle(): string {
    if (this.ended !== null) return this.endedByLabel();
    return this.opened ? 'open' : 'waiting to open';
  }

  private chatEvent(room: string, init: TestChatMessageInit): RealtimeEvent {
    return completeEvent(
      { id: init.id, ts: init.ts, type: 'message', data: { text: init.text, from: init.from ?? 'someone', clientId: init.clientId ?? null } },
      `chat:${room}`,
      this.host.ids,
    );
  }

  private oldestUnacknowledged(action: string): string {
    const frame = this.unacknowledged[0];
    if (!frame) {
      throw new Error(`Cannot ${action} a send: the client has no unacknowledged send on ${this.describe()}.`);
    }
    return String(frame['clientId']);
  }

  private close(error: RealtimeError): void {
    this.assertActive('close the socket');
    this.serverEnded();
    this.host.delivering();
    this.sink.closed(error);
  }
}

