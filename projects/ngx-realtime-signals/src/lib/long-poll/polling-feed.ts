import { computed, signal } from '@angular/core';
import { Subject } from 'rxjs';
import { appendBounded } from '../core/bounded-list';
import type { BurstQueue } from '../core/burst-queue';
import { Connection, type AttemptContext } from '../core/connection';
import { authTokenError, isRealtimeError, networkError } from '../core/errors';
import { EventCursor } from '../core/event-cursor';
import { pollOnce } from '../core/transports/poll-transport';
import type { RealtimeEvent } from '../core/types';
import { resolvePollUrl } from '../provide/endpoints';
import type { RealtimeRuntime } from '../provide/realtime-runtime';
import { ConnectionStatusSignals, mirrorConnection } from '../status/connection-status-signals';
import type { LongPollFeed, LongPollOptions } from './long-poll-feed';

const DEFAULT_TIMEOUT_MS = 25000;
const DEFAULT_LIMIT = 100;

/** The {@link LongPollFeed} implementation: a poll loop run by a {@link Connection}. */
export class PollingFeed<T> implements LongPollFeed<T> {
  private readonly status = new ConnectionStatusSignals();
  private readonly buffer = signal<readonly RealtimeEvent<T>[]>([]);
  private readonly subject = new Subject<RealtimeEvent<T>>();
  private readonly cursorState: EventCursor;
  private readonly queue: BurstQueue<RealtimeEvent>;
  private readonly connection: Connection;
  private readonly unmirror: () => void;
  private readonly timeoutMs: number;
  private readonly limit: number;
  private readonly bufferSize: number;
  private readonly url: string;
  private stopped = false;

  readonly state = this.status.state.asReadonly();
  readonly connected = this.status.connected;
  readonly attempt = this.status.attempt.asReadonly();
  readonly nextRetryAt = this.status.nextRetryAt.asReadonly();
  readonly lastError = this.status.lastError.asReadonly();
  readonly cursor = this.status.cursor.asReadonly();
  readonly gap = this.status.gap.asReadonly();
  readonly events = this.buffer.asReadonly();
  readonly latest = computed(() => {
    const list = this.buffer();
    return list.length ? list[list.length - 1] : null;
  });
  readonly events$ = this.subject.asObservable();

  constructor(
    readonly topic: string,
    options: LongPollOptions,
    private readonly runtime: RealtimeRuntime,
    private readonly onStop: () => void,
  ) {
    this.url = resolvePollUrl(runtime.config, topic, options.url);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.limit = options.limit ?? DEFAULT_LIMIT;
    this.bufferSize = options.bufferSize ?? runtime.config.buffers.events;
    this.cursorState = new EventCursor(options.cursor ?? null, Math.max(1000, this.bufferSize * 2));
    this.status.cursor.set(this.cursorState.cursor);
    this.queue = runtime.burstQueue<RealtimeEvent>((batch) => this.apply(batch));
    this.connection = new Connection((ctx) => this.openAttempt(ctx), runtime.connectionOptions());
    this.unmirror = mirrorConnection(this.connection, this.status);
  }

  /** Begins polling (browser platform only). */
  start(): void {
    if (this.stopped || !this.runtime.browser) return;
    this.runtime.outsideAngular(() => this.connection.start());
  }

  retryNow(): void {
    if (!this.stopped) this.runtime.outsideAngular(() => this.connection.retryNow());
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.queue.flush();
    this.queue.dispose();
    this.connection.stop();
    this.unmirror();
    this.subject.complete();
    this.onStop();
  }

  /**
   * One attempt is a loop of polls. Its first poll does not wait (timeout 0), so
   * `open` means "the server answered" rather than "the first event arrived";
   * later polls are held by the server for `timeoutMs`.
   */
  private openAttempt(ctx: AttemptContext): () => void {
    const controller = new AbortController();
    let active = true;
    const loop = async () => {
      let first = true;
      while (active) {
        const headers = await this.runtime.headers().catch((err: unknown) => {
          throw authTokenError(err);
        });
        if (!active) return;
        const seam = this.runtime.transports();
        const request = {
          url: this.url,
          topic: this.topic,
          cursor: this.cursorState.cursor,
          timeoutMs: first ? 0 : this.timeoutMs,
          limit: this.limit,
          headers,
          signal: controller.signal,
        };
        const response = await (seam ? seam.poll(request) : pollOnce(this.runtime.fetch(), request));
        if (!active) return;
        if (first) ctx.opened();
        else ctx.activity();
        first = false;
        if (response.reset) this.cursorState.reset(response.cursor, Date.now());
        for (const event of response.events) {
          if (this.cursorState.accept(event)) this.queue.push(event);
        }
        this.cursorState.moveTo(response.cursor);
        this.queue.touch();
      }
    };
    loop().catch((err: unknown) => {
      if (active) ctx.closed(isRealtimeError(err) ? err : networkError(err));
    });
    return () => {
      active = false;
      controller.abort();
    };
  }

  private apply(batch: RealtimeEvent[]): void {
    const events = batch as RealtimeEvent<T>[];
    if (events.length > 0) this.buffer.update((list) => appendBounded(list, events, this.bufferSize));
    this.status.cursor.set(this.cursorState.cursor);
    this.status.gap.set(this.cursorState.gap);
    for (const event of events) this.subject.next(event);
  }
}
