import { ɵhttpError as httpError, ɵnetworkError as networkError, type ɵPollRequest as PollRequest, type ɵPollResponse as PollResponse, type RealtimeError, type RealtimeEvent, ɵrealtimeError as realtimeError } from 'ngx-realtime-signals';
import { completeEvent, type TestEventInit } from './event-defaults';
import { type ConnectionHost, formatCursor, TestConnectionBase } from './test-connection';

/**
 * The answer a test gives a pending poll; every field is optional.
 *
 * @example
 * ```ts
 * poll.flush({ events: [{ type: 'paid' }], cursor: 'c9' });
 * ```
 */
export interface TestPollAnswer {
  events?: TestEventInit[];
  /** Default: the last event's id, else the request's cursor, else a fresh id. */
  cursor?: string;
  reset?: boolean;
}

/**
 * One pending long-poll request, answered by the test.
 *
 * @example
 * ```ts
 * const poll = realtime.expectOne({ transport: 'poll', topic: 'orders' });
 * poll.flush({ events: [{ type: 'created', data: { id: 7 } }] });
 * const next = await realtime.expectNext({ transport: 'poll', topic: 'orders' });
 * expect(next.cursor).toBe(poll.answer?.cursor);
 * ```
 */
export class TestPoll extends TestConnectionBase {
  readonly transport = 'poll' as const;
  /** What the test answered, once it did. */
  answer: PollResponse | null = null;

  constructor(
    /** What the client asked for: URL, topic, cursor, timeout, limit, headers. */
    readonly request: PollRequest,
    private readonly settle: { resolve(response: PollResponse): void; reject(error: RealtimeError): void },
    host: ConnectionHost,
  ) {
    super(host);
    const onAbort = () => {
      if (!this.active) return;
      this.clientClosed();
      settle.reject(realtimeError('aborted', 'The poll was cancelled', true));
    };
    if (request.signal.aborted) onAbort();
    else request.signal.addEventListener('abort', onAbort, { once: true });
  }

  get topic(): string {
    return this.request.topic;
  }

  get cursor(): string | null {
    return this.request.cursor;
  }

  /** Answers the poll. With no argument: the empty answer a held poll gets when its timeout passes. */
  flush(answer: TestPollAnswer = {}): PollResponse {
    this.assertActive('answer the poll');
    const events: RealtimeEvent[] = (answer.events ?? []).map((init) => completeEvent(init, this.topic, this.host.ids));
    const cursor = answer.cursor ?? events.at(-1)?.id ?? this.cursor ?? this.host.ids.next();
    const response: PollResponse = answer.reset ? { events, cursor, reset: true } : { events, cursor };
    this.answer = response;
    this.serverEnded();
    this.host.delivering();
    this.settle.resolve(response);
    return response;
  }

  /** Answers with one event. */
  event<T = unknown>(init: TestEventInit<T> = {}): RealtimeEvent<T> {
    return this.flush({ events: [init] }).events[0] as RealtimeEvent<T>;
  }

  /** Answers that the cursor was a gap: no events, `reset: true`, `cursor` the head (default: a fresh id). */
  reset(cursor: string = this.host.ids.next()): PollResponse {
    return this.flush({ events: [], cursor, reset: true });
  }

  /** Fails the poll with a retryable network error (or the given fields). */
  drop(error: Partial<RealtimeError> = {}): void {
    this.reject({ ...networkError(), ...error });
  }

  /** Fails the poll: an HTTP status (`fail(401)`) or a complete error value. */
  fail(failure: number | RealtimeError): void {
    this.reject(typeof failure === 'number' ? httpError(failure) : failure);
  }

  /**
   * Drops this poll and resolves with the client's next poll for the same topic
   * (after its backoff delay: advance fake timers or use `withReconnect({ initialDelayMs: 0 })`).
   */
  async reconnect(error?: Partial<RealtimeError>): Promise<TestPoll> {
    this.drop(error);
    return (await this.host.expectNext({ transport: 'poll', topic: this.topic })) as TestPoll;
  }

  describe(): string {
    return (
      `poll ${this.request.url} (topic '${this.topic}', ${formatCursor(this.cursor)}, ` +
      `timeout ${this.request.timeoutMs} ms, ${this.lifeCycle()})`
    );
  }

  protected lifeCycle(): string {
    if (this.ended === 'server') return this.answer ? 'answered' : 'failed by the test';
    return this.ended === 'client' ? this.endedByLabel() : 'pending';
  }

  private reject(error: RealtimeError): void {
    this.assertActive('fail the poll');
    this.serverEnded();
    this.host.delivering();
    this.settle.reject(error);
  }
}
