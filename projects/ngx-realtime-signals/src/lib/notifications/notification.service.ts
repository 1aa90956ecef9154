import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { Subject, type Observable } from 'rxjs';
import { authTokenError } from '../core/auth-error';
import { prependBounded } from '../core/bounded-list';
import type { BurstQueue } from '../core/burst-queue';
import { Connection, type AttemptContext } from '../core/connection';
import { EventCursor } from '../core/event-cursor';
import type { RealtimeEvent } from '../core/types';
import { injectRealtimeRuntime } from '../provide/realtime-runtime';
import type { ConnectionStatus } from '../status/connection-status';
import { ConnectionStatusSignals, mirrorConnection } from '../status/connection-status-signals';
import type { Notification } from './notification';

interface Session {
  readonly topic: string;
  readonly connection: Connection;
  readonly cursor: EventCursor;
  readonly queue: BurstQueue<RealtimeEvent>;
  readonly unmirror: () => void;
}

/**
 * Notifications over Server-Sent Events, as signals. One stream per app (a root
 * service): `connect()` opens `${baseUrl}/events/<topic>` and keeps it open,
 * resuming with `Last-Event-ID` after every drop, so each event shows up once
 * and in order. Does nothing on the server platform; closes when the app is
 * destroyed.
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
  private readonly status = new ConnectionStatusSignals();
  private readonly currentTopic = signal<string | null>(null);
  private readonly list = signal<readonly Notification<T>[]>([]);
  private readonly subject = new Subject<RealtimeEvent<T>>();
  private session: Session | null = null;
  private destroyed = false;

  readonly state = this.status.state.asReadonly();
  readonly connected = this.status.connected;
  readonly attempt = this.status.attempt.asReadonly();
  readonly nextRetryAt = this.status.nextRetryAt.asReadonly();
  readonly lastError = this.status.lastError.asReadonly();
  readonly cursor = this.status.cursor.asReadonly();
  readonly gap = this.status.gap.asReadonly();

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
   * the same topic is a no-op while connected and reconnects after
   * `disconnect()`/`failed`, resuming from the cursor; another topic replaces
   * the stream and clears the list.
   */
  connect(topic = 'notifications'): void {
    if (!this.runtime.browser || this.destroyed) return;
    if (this.session && this.session.topic !== topic) {
      this.endSession();
      this.list.set([]);
      this.status.gap.set(null);
      this.status.cursor.set(null);
    }
    this.currentTopic.set(topic);
    const session = (this.session ??= this.createSession(topic));
    this.runtime.outsideAngular(() => session.connection.start());
  }

  /** Closes the stream (state `closed`); what already arrived stays. */
  disconnect(): void {
    const session = this.session;
    if (!session) return;
    session.queue.flush();
    session.connection.stop();
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

  private createSession(topic: string): Session {
    const { config } = this.runtime;
    const cursor = new EventCursor(null, Math.max(1000, config.buffers.notifications * 2));
    const queue = this.runtime.burstQueue<RealtimeEvent>((batch) => this.apply(batch, cursor));
    const connection = new Connection(
      (ctx) => this.openAttempt(ctx, topic, cursor, queue),
      this.runtime.connectionOptions(config.heartbeatMs > 0 ? config.heartbeatMs * 2 : undefined),
    );
    const unmirror = mirrorConnection(connection, this.status);
    return { topic, connection, cursor, queue, unmirror };
  }

  private openAttempt(ctx: AttemptContext, topic: string, cursor: EventCursor, queue: BurstQueue<RealtimeEvent>): () => void {
    let active = true;
    let teardown: (() => void) | null = null;
    this.runtime.headers().then(
      (headers) => {
        if (!active) return;
        const url = `${this.runtime.config.baseUrl}/events/${encodeURIComponent(topic)}`;
        teardown = this.runtime.transports().openStream(
          { url, topic, cursor: cursor.cursor, headers },
          {
            opened: () => ctx.opened(),
            activity: () => ctx.activity(),
            retryHint: (ms) => ctx.retryHint(ms),
            closed: (error) => ctx.closed(error),
            event: (event) => {
              if (active && cursor.accept(event)) queue.push(event);
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
    const session = this.session;
    if (!session) return;
    this.session = null;
    session.queue.dispose();
    session.connection.stop();
    session.unmirror();
  }
}
