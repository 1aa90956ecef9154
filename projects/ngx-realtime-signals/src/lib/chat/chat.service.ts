import { isPlatformBrowser } from '@angular/common';
import { computed, DestroyRef, DOCUMENT, inject, Injectable, PLATFORM_ID, signal, type Signal } from '@angular/core';
import { Connection, type ConnectionSnapshot } from '../core/connection';
import { ReconnectPolicy } from '../core/reconnect-policy';
import type { ConnectionState, RealtimeError, RealtimeGap } from '../core/types';
import { RealtimeTransports } from '../core/transports/realtime-transports';
import { REALTIME_CONFIG } from '../provide/tokens';
import type { ConnectionStatus } from '../status/connection-status';
import { chatAttempt } from '../core/chat/chat-attempt';
import { ChatClient } from '../core/chat/chat-client';
import { RoomHandle, type ChatRoom, type RoomActions } from './room-handle';
import { chatSocketUrl } from '../core/chat/chat-url';

const PING_INTERVAL_MS = 10_000;
const PONG_TIMEOUT_MS = 10_000;
const WATCHDOG_MS = 90_000;

/**
 * WebSocket chat as signals: one socket to `${baseUrl}/chat`, rooms, an outbox
 * that survives reconnects (each message delivered once, `pending` until the
 * server acks it), presence, typing and latency. Reconnects with backoff and
 * re-joins every room from the last message it saw. Does nothing on the server
 * platform; closes the socket when its injector is destroyed.
 *
 * @example
 * ```ts
 * // app.config.ts: provideRealtime({ baseUrl: '/api' })
 * @Component({ selector: 'app-chat', template: `
 *   <p>{{ chat.state() }} as {{ chat.user() }} · {{ chat.latencyMs() }} ms</p>
 *   @for (m of lobby.messages(); track m.clientId ?? m.id) { <p>{{ m.from }}: {{ m.text }} ({{ m.status }})</p> }
 *   <input #box (keyup.enter)="lobby.send(box.value); box.value = ''" (input)="lobby.setTyping()" />` })
 * export class ChatComponent {
 *   readonly chat = inject(ChatService);
 *   readonly lobby = this.chat.join('lobby');   // works before connect: joined once the socket is open
 *   constructor() { this.chat.connect({ name: 'ada' }); }
 * }
 * ```
 */
@Injectable({ providedIn: 'root' })
export class ChatService implements ConnectionStatus {
  private readonly config = inject(REALTIME_CONFIG);
  private readonly transports = inject(RealtimeTransports);
  private readonly document = inject(DOCUMENT, { optional: true });
  private readonly isBrowser = isPlatformBrowser(inject(PLATFORM_ID));

  private readonly stateSignal = signal<ConnectionState>('idle');
  private readonly attemptSignal = signal(0);
  private readonly nextRetrySignal = signal<number | null>(null);
  private readonly errorSignal = signal<RealtimeError | null>(null);
  private readonly gapSignal = signal<RealtimeGap | null>(null);
  private readonly userSignal = signal<string | null>(null);
  private readonly latencySignal = signal<number | null>(null);
  private readonly roomsSignal = signal<readonly ChatRoom[]>([]);

  readonly state = this.stateSignal.asReadonly();
  readonly connected = computed(() => this.stateSignal() === 'open');
  readonly attempt = this.attemptSignal.asReadonly();
  readonly nextRetryAt = this.nextRetrySignal.asReadonly();
  readonly lastError = this.errorSignal.asReadonly();
  /** Chat keeps one cursor per room (`ChatRoom.cursor`); this one stays null. */
  readonly cursor: Signal<string | null> = signal(null).asReadonly();
  /** The latest gap of any room (see `ChatRoom.gap` for the room). */
  readonly gap = this.gapSignal.asReadonly();
  /** The user name the server assigned (the token's `sub`, the requested name, or a guest name). */
  readonly user = this.userSignal.asReadonly();
  /** Round trip of the last ping, in ms; null while not connected. */
  readonly latencyMs = this.latencySignal.asReadonly();
  /** Rooms joined through {@link join}, in join order. */
  readonly rooms = this.roomsSignal.asReadonly();

  private readonly handles = new Map<string, RoomHandle>();
  private readonly dirtyRooms = new Set<string>();
  private clientDirty = false;
  private flushScheduled = false;
  private destroyed = false;
  private name: string | null = null;
  private connection: Connection | null = null;
  private unsubscribe: (() => void) | null = null;

  private readonly client = new ChatClient({
    messageBufferSize: this.config.buffers.messages,
    pingIntervalMs: PING_INTERVAL_MS,
    pongTimeoutMs: PONG_TIMEOUT_MS,
    onChange: (room) => this.markDirty(room),
  });

  private readonly actions: RoomActions = {
    send: (room, text) => this.locally(() => this.client.send(room, text)),
    retry: (room, clientId) => this.locally(() => this.client.retry(room, clientId)),
    setTyping: (room) => this.client.setTyping(room),
    leave: (room) => this.leave(room),
  };

  constructor() {
    inject(DestroyRef).onDestroy(() => this.destroy());
  }

  /**
   * Opens the chat socket (a no-op while already connected, unless `name`
   * changes, and on the server platform). `name` asks for a user name when
   * the server has auth off; with auth on the token's subject is the user.
   */
  connect(options: { name?: string } = {}): void {
    if (!this.isBrowser || this.destroyed) return;
    const renamed = options.name !== undefined && options.name !== this.name;
    this.name = options.name ?? this.name;
    if (renamed && this.connection) this.connection.stop();
    if (!this.connection) {
      this.connection = new Connection(
        chatAttempt(this.client, {
          authToken: this.config.authToken,
          socketUrl: (token) =>
            chatSocketUrl(this.config.baseUrl, this.document?.baseURI ?? null, { name: this.name, token }),
          openSocket: (req, sink) => this.transports.openSocket(req, sink),
        }),
        {
          policy: new ReconnectPolicy(this.config.reconnect),
          // Ping/pong detects a dead socket within PING_INTERVAL_MS + PONG_TIMEOUT_MS while the page runs; this
          // runner watchdog is for waking up (sleep, a frozen tab), set well above the minute-aligned timers of a
          // background tab so a throttled ping is not taken for a dead socket.
          watchdogMs: WATCHDOG_MS,
        },
      );
      this.unsubscribe = this.connection.subscribe((s) => this.mirror(s));
    }
    this.connection.start();
  }

  /** Closes the socket cleanly; unsent messages stay `pending` and go out on the next `connect()`. */
  disconnect(): void {
    this.connection?.stop();
    this.flush();
  }

  /** Skips the backoff wait (or starts over after `failed`). */
  retryNow(): void {
    this.connection?.retryNow();
  }

  /**
   * The room's handle, the same one for the same room until it is left. The
   * room is joined as soon as the socket is open, and re-joined after every
   * reconnect from the last message seen.
   */
  join(room: string): ChatRoom {
    let handle = this.handles.get(room);
    if (!handle) {
      handle = new RoomHandle(room, this.actions);
      this.handles.set(room, handle);
      this.roomsSignal.set([...this.handles.values()]);
      this.locally(() => this.client.join(room));
    }
    return handle;
  }

  private leave(room: string): void {
    const handle = this.handles.get(room);
    if (!handle) return;
    this.handles.delete(room);
    this.roomsSignal.set([...this.handles.values()]);
    this.dirtyRooms.delete(room);
    this.client.leave(room);
    handle.markLeft();
    this.flush();
  }

  private mirror(s: ConnectionSnapshot): void {
    this.stateSignal.set(s.state);
    this.attemptSignal.set(s.attempt);
    this.nextRetrySignal.set(s.nextRetryAt);
    this.errorSignal.set(s.lastError);
  }

  /** Runs a local action and shows its result at once (a sent message appears before `send` returns). */
  private locally<T>(action: () => T): T {
    const result = action();
    this.flush();
    return result;
  }

  /** Network-driven changes are applied once per microtask, so a burst of frames is one signal update. */
  private markDirty(room: string | null): void {
    if (room === null) this.clientDirty = true;
    else this.dirtyRooms.add(room);
    if (this.flushScheduled || this.destroyed) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.destroyed) return;
    for (const room of this.dirtyRooms) {
      const state = this.client.room(room);
      if (state) this.handles.get(room)?.refresh(state);
    }
    this.dirtyRooms.clear();
    if (!this.clientDirty) return;
    this.clientDirty = false;
    this.userSignal.set(this.client.user);
    this.latencySignal.set(this.client.latencyMs);
    this.gapSignal.set(latestGap(this.client.joinedRooms.map((r) => r.gap)));
  }

  private destroy(): void {
    this.connection?.stop();
    this.unsubscribe?.();
    this.client.dispose();
    this.destroyed = true;
  }
}

function latestGap(gaps: readonly (RealtimeGap | null)[]): RealtimeGap | null {
  let latest: RealtimeGap | null = null;
  for (const gap of gaps) if (gap && (!latest || gap.at >= latest.at)) latest = gap;
  return latest;
}
