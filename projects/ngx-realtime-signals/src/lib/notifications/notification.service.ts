import { DOCUMENT, DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { Subject, type Observable } from 'rxjs';
import { authTokenError } from '../core/errors';
import { prependBounded } from '../core/bounded-list';
import type { BurstQueue } from '../core/burst-queue';
import { Connection, type AttemptContext } from '../core/connection';
import { EventCursor } from '../core/event-cursor';
import { openSseStream } from '../core/transports/sse-transport';
import type { RealtimeEvent } from '../core/types';
import { pollOnce } from '../core/transports/poll-transport';
import type { PollRequest, PollResponse, StreamRequest, StreamSink } from '../core/transports/realtime-transports';
import { openPollStream } from '../core/transports/poll-stream';
import { raceStreams, type StreamCandidate } from '../core/transports/stream-race';
import { DEFAULT_NOTIFICATION_TRANSPORTS, type RealtimeTransportKind } from '../core/transports/transport-kind';
import { sharedTransportMemory } from '../core/transports/transport-memory';
import { TransportSelector } from '../core/transports/transport-selector';
import { resolvePollUrl, resolveStream, type ResolvedStream } from '../provide/endpoints';
import { serviceOrder } from '../provide/transports-option';
import { injectRealtimeRuntime } from '../provide/realtime-runtime';
import type { ConnectionStatus } from '../status/connection-status';
import { ConnectionStatusSignals, mirrorConnection } from '../status/connection-status-signals';
import type { Notification, NotificationConnectOptions } from './notification';

/** How long each long poll of the fallback may be held (below the 2 x heartbeat watchdog). */
const FALLBACK_POLL_HOLD_MS = 25_000;

interface Session {
  readonly topic: string;
  readonly stream: ResolvedStream;
  /** The long-poll URL of the fallback; null when the stream is not this library's protocol (a custom URL or parse). */
  readonly pollUrl: string | null;
  readonly selector: TransportSelector;
  readonly connection: Connection;
  readonly cursor: EventCursor;
  readonly queue: BurstQueue<RealtimeEvent>;
  readonly unmirror: () => void;
}

/**
 * Notifications over Server-Sent Events, as signals. One stream per app (a root
 * service): `connect()` opens `${baseUrl}/events/<topic>` (or the URL of
 * `withEndpoints` / `connect(topic, { url })`) and keeps it open, resuming with
 * `Last-Event-ID` after every drop, so each event shows up once and in order.
 * Does nothing on the server platform; closes when the app is destroyed.
 *
 * Any SSE endpoint works: `data` that is not this library's envelope arrives as
 * parsed JSON (or as the `parse` option says). `T` is the data type you declare, not
 * checked at run time (as with `HttpClient.get<T>`); a `parse` function is where to
 * check it. A stream whose events carry no `id:` cannot resume: its events get local
 * ids (`local:1`, …), a drop loses what was sent meanwhile and nothing is
 * deduplicated; `cursor()` stays null.
 *
 * @example
 * ```ts
 * @Component({
 *   selector: 'app-bell',
 *   template: `
 *     <button (click)="notes.markAllRead()">🔔 {{ notes.unreadCount() }}</button>
 *     @if (notes.state() === 'reconnecting') { <small>reconnecting…</small> }
 *     @for (n of notes.notifications(); track n.id) {
 *       <p [class.unread]="!n.read" (click)="notes.markRead(n.id)">{{ n.data.text }}</p>
 *     }`,
 * })
 * export class BellComponent {
 *   readonly notes = inject(NotificationService<{ text: string }>);
 *   constructor() { this.notes.connect('user:42'); }
 * }
 * ```
 */
@Injectable({ providedIn: 'root' })
export class NotificationService<T = unknown> implements ConnectionStatus {
  private readonly runtime = injectRealtimeRuntime();
  private readonly document = inject(DOCUMENT, { optional: true });
  private readonly status = new ConnectionStatusSignals();
  private readonly currentTopic = signal<string | null>(null);
  private readonly list = signal<readonly Notification<T>[]>([]);
  private readonly subject = new Subject<RealtimeEvent<T>>();
  private session: Session | null = null;
  private destroyed = false;
  private localIds = 0;

  readonly state = this.status.state.asReadonly();
  readonly connected = this.status.connected;
  readonly attempt = this.status.attempt.asReadonly();
  readonly nextRetryAt = this.status.nextRetryAt.asReadonly();
  readonly lastError = this.status.lastError.asReadonly();
  readonly cursor = this.status.cursor.asReadonly();
  readonly gap = this.status.gap.asReadonly();
  private readonly transportSignal = signal<RealtimeTransportKind | null>(null);
  /** The transport in use while connected: `sse`, or `long-poll` where streams do not get through; null otherwise. */
  readonly transport = this.transportSignal.asReadonly();

  /** The topic of the current (or last) stream. */
  readonly topic = this.currentTopic.asReadonly();
  /** Newest first, at most `buffers.notifications` entries. */
  readonly notifications = this.list.asReadonly();
  readonly unreadCount = computed(() => this.list().reduce((n, item) => (item.read ? n : n + 1), 0));
  /** Every event once, in order, as it reaches the signals. Completes when the app is destroyed. */
  readonly events$: Observable<RealtimeEvent<T>> = this.subject.asObservable();

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.destroyed = true;
      this.endSession();
      this.subject.complete();
    });
  }

  /**
   * Opens the stream of `topic` (default `notifications`). Calling it again with
   * the same topic and URL is a no-op while connected and reconnects after
   * `disconnect()`/`failed`, resuming from the cursor (the options of the call that
   * opened the stream stay); another topic or URL replaces the stream and clears the list.
   *
   * `options` override the `events` endpoint of `withEndpoints` for this stream: `url`
   * (the whole stream URL), `parse` (how `data` is read) and `heartbeatMs` (0: no watchdog).
   * Bad options throw here, on every platform, in development builds (a production build drops the check).
   *
   * @example
   * ```ts
   * notes.connect('orders', { url: '/stream/orders', heartbeatMs: 0 });
   * ```
   */
  connect(topic = 'notifications', options: NotificationConnectOptions<T> = {}): void {
    if (this.destroyed) return;
    const stream = resolveStream(this.runtime.config, topic, options as NotificationConnectOptions);
    if (!this.runtime.browser) return;
    if (this.session && (this.session.topic !== topic || this.session.stream.url !== stream.url)) {
      this.endSession();
      this.list.set([]);
      this.status.gap.set(null);
      this.status.cursor.set(null);
    }
    this.currentTopic.set(topic);
    const ownProtocol = options.url === undefined && stream.parse === undefined;
    const session = (this.session ??= this.createSession(topic, stream, ownProtocol ? resolvePollUrl(this.runtime.config, topic, undefined) : null));
    this.runtime.outsideAngular(() => session.connection.start());
  }

  /** Closes the stream (state `closed`); what already arrived stays. */
  disconnect(): void {
    const session = this.session;
    if (!session) return;
    session.queue.flush();
    session.connection.stop();
    session.selector.stop();
  }

  retryNow(): void {
    const session = this.session;
    if (session) this.runtime.outsideAngular(() => session.connection.retryNow());
  }

  markRead(id: string): void {
    this.list.update((list) => list.map((n) => (n.id === id && !n.read ? { ...n, read: true } : n)));
  }

  markAllRead(): void {
    this.list.update((list) => (list.some((n) => !n.read) ? list.map((n) => (n.read ? n : { ...n, read: true })) : list));
  }

  dismiss(id: string): void {
    this.list.update((list) => list.filter((n) => n.id !== id));
  }

  clear(): void {
    this.list.set([]);
  }

  private createSession(topic: string, stream: ResolvedStream, pollUrl: string | null): Session {
    const { config } = this.runtime;
    const cursor = new EventCursor(null, Math.max(1000, config.buffers.notifications * 2));
    const queue = this.runtime.burstQueue<RealtimeEvent>((batch) => this.apply(batch, cursor));
    const order =
      // a testing seam keeps each service on its first transport
      pollUrl !== null && this.runtime.transports() === null
        ? serviceOrder(config.transports, DEFAULT_NOTIFICATION_TRANSPORTS)
        : (['sse'] as const);
    const selector: TransportSelector = new TransportSelector({
      order,
      fallback: config.transportFallback,
      memory: sharedTransportMemory(this.document),
      probe: (kind) => this.probe(kind, topic, stream),
      upgrade: () => this.runtime.outsideAngular(() => connection.restartNow()),
      changed: (kind) => this.transportSignal.set(kind),
    });
    const connection: Connection = new Connection(
      (ctx) => this.openAttempt(ctx, topic, stream, pollUrl, selector, cursor, queue),
      this.runtime.connectionOptions(stream.watchdogMs),
    );
    const unmirror = mirrorConnection(connection, this.status);
    const unwatch = connection.subscribe((snapshot) => {
      if (snapshot.state !== 'open') selector.ended();
    });
    return {
      topic,
      stream,
      pollUrl,
      selector,
      connection,
      cursor,
      queue,
      unmirror: () => {
        unmirror();
        unwatch();
      },
    };
  }

  private openStream(req: StreamRequest, sink: StreamSink): () => void {
    const seam = this.runtime.transports();
    return seam ? seam.openStream(req, sink) : openSseStream(this.runtime.fetch(), req, sink);
  }

  private poll(req: PollRequest): Promise<PollResponse> {
    const seam = this.runtime.transports();
    return seam ? seam.poll(req) : pollOnce(this.runtime.fetch(), req);
  }

  /** Tries `kind` (the preferred transport) on its own: true when the server's first bytes came through in time. */
  private async probe(kind: RealtimeTransportKind, topic: string, stream: ResolvedStream): Promise<boolean> {
    if (kind !== 'sse') return false;
    const headers = await this.runtime.headers();
    const { firstFrameMs } = this.runtime.config.transportFallback;
    return new Promise<boolean>((resolve) => {
      let stop: (() => void) | null = null;
      let settled = false;
      const settle = (works: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stop?.();
        resolve(works);
      };
      const timer = setTimeout(() => settle(false), firstFrameMs);
      stop = this.openStream(
        { url: stream.url, topic, cursor: null, headers, ...(stream.parse ? { parse: stream.parse } : {}) },
        {
          opened: () => undefined,
          activity: () => settle(true),
          event: () => undefined,
          reset: () => undefined,
          position: () => undefined,
          retryHint: () => undefined,
          closed: () => settle(false),
        },
      );
      if (settled) stop();
    });
  }

  private openAttempt(
    ctx: AttemptContext,
    topic: string,
    stream: ResolvedStream,
    pollUrl: string | null,
    selector: TransportSelector,
    cursor: EventCursor,
    queue: BurstQueue<RealtimeEvent>,
  ): () => void {
    let active = true;
    let teardown: (() => void) | null = null;
    this.runtime.headers().then(
      (headers) => {
        if (!active) return;
        // Each lane starts from the cursor as it stands when the lane starts: nothing is skipped or repeated.
        const candidates = selector.orderForAttempt(stream.url).flatMap((kind): StreamCandidate[] => {
          if (kind === 'sse') {
            return [
              {
                kind,
                open: (sink: StreamSink) =>
                  this.openStream({ url: stream.url, topic, cursor: cursor.cursor, headers, ...(stream.parse ? { parse: stream.parse } : {}) }, sink),
              },
            ];
          }
          if (kind === 'long-poll' && pollUrl !== null) {
            const limit = Math.min(1000, Math.max(100, this.runtime.config.buffers.notifications));
            return [
              {
                kind,
                open: (sink: StreamSink) =>
                  openPollStream((req) => this.poll(req), { url: pollUrl, topic, cursor: cursor.cursor, headers, holdMs: FALLBACK_POLL_HOLD_MS, limit }, sink),
              },
            ];
          }
          return [];
        });
        const { headStartMs, firstFrameMs } = this.runtime.config.transportFallback;
        teardown = raceStreams(
          candidates,
          { headStartMs, firstFrameMs, chosen: (kind) => selector.chosen(kind) },
          {
            opened: () => ctx.opened(),
            activity: () => ctx.activity(),
            retryHint: (ms) => ctx.retryHint(ms),
            closed: (error) => ctx.closed(error),
            event: (event) => {
              if (!active) return;
              // an event the server sent without an id still needs a distinct key (`track n.id`, markRead)
              const keyed = event.id === '' ? { ...event, id: `local:${++this.localIds}` } : event;
              if (cursor.accept(event)) queue.push(keyed);
            },
            reset: (position) => {
              if (!active) return;
              cursor.reset(position, Date.now());
              queue.touch();
            },
            position: (position) => {
              if (!active) return;
              cursor.moveTo(position);
              queue.touch();
            },
          },
        );
      },
      (err: unknown) => {
        if (active) ctx.closed(authTokenError(err));
      },
    );
    return () => {
      active = false;
      teardown?.();
    };
  }

  private apply(batch: RealtimeEvent[], cursor: EventCursor): void {
    const events = batch as RealtimeEvent<T>[];
    if (events.length > 0) {
      const fresh = events.map((e): Notification<T> => ({ ...e, read: false }));
      this.list.update((list) => prependBounded(list, fresh, this.runtime.config.buffers.notifications));
    }
    this.status.cursor.set(cursor.cursor);
    this.status.gap.set(cursor.gap);
    for (const event of events) this.subject.next(event);
  }

  private endSession(): void {
    this.session?.selector.stop();
    const session = this.session;
    if (!session) return;
    this.session = null;
    session.queue.dispose();
    session.connection.stop();
    session.unmirror();
  }
}
