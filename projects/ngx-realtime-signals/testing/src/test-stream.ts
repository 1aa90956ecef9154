import {
  ɵhttpError as httpError,
  ɵrealtimeError as realtimeError,
  ɵsseMessageReader as sseMessageReader,
  type RealtimeError,
  type RealtimeEvent,
  type ɵStreamRequest as StreamRequest,
  type ɵStreamSink as StreamSink,
} from 'ngx-realtime-signals';
import { completeEvent, type TestEventInit } from './event-defaults';
import { type ConnectionHost, formatCursor, TestConnectionBase } from './test-connection';

/**
 * One SSE connection attempt the client made, driven by the test as the server.
 *
 * @example
 * ```ts
 * const stream = realtime.expectOne({ transport: 'sse', topic: 'news' });
 * stream.open();
 * stream.event({ type: 'post', data: { title: 'Hello' } });
 * stream.drop();                       // a retryable failure: the client backs off and reconnects
 * ```
 */
export class TestStream extends TestConnectionBase {
  readonly transport = 'sse' as const;
  private opened = false;
  private reader: ((message: { id?: string; event?: string; data: string }) => void) | null = null;

  constructor(
    /** What the client asked for: URL, topic, cursor (sent as `Last-Event-ID`) and headers. */
    readonly request: StreamRequest,
    private readonly sink: StreamSink,
    host: ConnectionHost,
  ) {
    super(host);
  }

  get topic(): string {
    return this.request.topic;
  }

  /** The cursor the client resumes from (its `Last-Event-ID`), null for "from now". */
  get cursor(): string | null {
    return this.request.cursor;
  }

  /** Whether `open()` was called (the response headers were "sent"). */
  get isOpen(): boolean {
    return this.opened && this.active;
  }

  /** Accepts the connection, as a 200 `text/event-stream` response would. */
  open(): this {
    this.assertActive('open the stream');
    if (!this.opened) {
      this.opened = true;
      this.host.delivering();
      this.sink.opened();
    }
    return this;
  }

  /**
   * Pushes one event (opening the stream first if needed); missing fields get defaults. Returns the event sent.
   * `id: ''` plays a message the server sent without an id: the service gives it a local id and keeps its cursor.
   */
  event<T = unknown>(init: TestEventInit<T> = {}): RealtimeEvent<T> {
    this.assertActive('push an event');
    this.open();
    const event = completeEvent(init, this.topic, this.host.ids);
    this.host.delivering();
    this.sink.activity();
    this.sink.event(event);
    return event;
  }

  /**
   * Plays one raw SSE message as the server would put it on the wire (opening the
   * stream first if needed): the client reads it exactly as the real transport does,
   * with the stream's `parse` option, this library's `reset`/`cursor` frames, local ids
   * for a message without `id`, and a `parse_failed` end for data its parse mode refuses.
   *
   * @example
   * ```ts
   * stream.message({ data: '{"text":"hi"}' });                       // no id: a local id, JSON parsed
   * stream.message({ id: 'o-7', event: 'order', data: '{"orderId":7}' });
   * ```
   */
  message(init: { data: string; id?: string; event?: string }): this {
    this.assertActive('send a message');
    this.open();
    this.reader ??= sseMessageReader(this.request, this.sink, (reason) => this.close(realtimeError('parse_failed', reason, false)));
    this.host.delivering();
    this.sink.activity();
    this.reader(init);
    return this;
  }

  /** Pushes several events in order. */
  events(inits: TestEventInit[]): RealtimeEvent[] {
    return inits.map((init) => this.event(init));
  }

  /**
   * The server's `reset`: the client's cursor was a gap; `cursor` (default: a fresh id) is the position
   * just before the oldest retained event (push those with `event()` after it).
   */
  reset(cursor: string = this.host.ids.next()): this {
    this.assertActive('send a reset');
    this.open();
    this.host.delivering();
    this.sink.activity();
    this.sink.reset(cursor);
    return this;
  }

  /**
   * The server's `cursor` frame: where a stream opened without a cursor starts
   * (default: a fresh id). Moves the client's cursor; no event, no gap.
   *
   * @example
   * ```ts
   * stream.position('head-4');   // the next attempt resumes with Last-Event-ID head-4
   * ```
   */
  position(cursor: string = this.host.ids.next()): this {
    this.assertActive('send a position');
    this.open();
    this.host.delivering();
    this.sink.activity();
    this.sink.position(cursor);
    return this;
  }

  /** The server's `retry:` field. */
  retryHint(ms: number): this {
    this.assertActive('send a retry hint');
    this.open();
    this.host.delivering();
    this.sink.retryHint(ms);
    return this;
  }

  /** A `: ping` heartbeat comment. */
  ping(): this {
    this.assertActive('send a heartbeat');
    this.host.delivering();
    this.sink.activity();
    return this;
  }

  /** Ends the stream with a retryable error (default `stream_ended`); the client schedules a reconnect. */
  drop(error: Partial<RealtimeError> = {}): void {
    this.close({ ...realtimeError('stream_ended', 'The server ended the stream', true), ...error });
  }

  /** Ends the stream with a failure: an HTTP status (`fail(401)`) or a complete error value. */
  fail(failure: number | RealtimeError): void {
    this.close(typeof failure === 'number' ? httpError(failure) : failure);
  }

  /**
   * Drops the stream and resolves with the client's next SSE connection for the same topic.
   * The client waits its backoff delay first: advance fake timers or use `withReconnect({ initialDelayMs: 0 })`.
   */
  async reconnect(error?: Partial<RealtimeError>): Promise<TestStream> {
    this.drop(error);
    return (await this.host.expectNext({ transport: 'sse', topic: this.topic })) as TestStream;
  }

  describe(): string {
    return `sse ${this.request.url} (topic '${this.topic}', ${formatCursor(this.cursor)}, ${this.lifeCycle()})`;
  }

  protected lifeCycle(): string {
    if (this.ended !== null) return this.endedByLabel();
    return this.opened ? 'open' : 'waiting to open';
  }

  private close(error: RealtimeError): void {
    this.assertActive('end the stream');
    this.serverEnded();
    this.host.delivering();
    this.sink.closed(error);
  }
}
