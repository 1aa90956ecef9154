import { DOCUMENT, DestroyRef, inject, Injectable, signal } from '@angular/core';
import { chatAttempt } from '../core/chat/chat-attempt';
import { ChatClient } from '../core/chat/chat-client';
import { chatEndpointUrl } from '../core/chat/chat-url';
import { Connection } from '../core/connection';
import { openHttpChat } from '../core/transports/http-chat-transport';
import type { SocketHandle, SocketRequest, SocketSink } from '../core/transports/realtime-transports';
import { DEFAULT_CHAT_TRANSPORTS, type RealtimeTransportKind } from '../core/transports/transport-kind';
import { probeSocket } from '../core/transports/transport-lanes';
import { sharedTransportMemory } from '../core/transports/transport-memory';
import { TransportSelector } from '../core/transports/transport-selector';
import { openWebSocket } from '../core/transports/websocket-transport';
import { serviceOrder } from '../provide/transports-option';
import type { RealtimeGap } from '../core/types';
import { resolveChatUrl } from '../provide/endpoints';
import { injectRealtimeRuntime } from '../provide/realtime-runtime';
import type { ConnectionStatus } from '../status/connection-status';
import { ConnectionStatusSignals, mirrorConnection } from '../status/connection-status-signals';
import { RoomHandle, type ChatRoom, type RoomActions } from './room-handle';

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
  private readonly runtime = injectRealtimeRuntime();
  private readonly document = inject(DOCUMENT, { optional: true });
  private readonly status = new ConnectionStatusSignals();
  private readonly userSignal = signal<string | null>(null);
  private readonly latencySignal = signal<number | null>(null);
  private readonly roomsSignal = signal<readonly ChatRoom[]>([]);

  readonly state = this.status.state.asReadonly();
  readonly connected = this.status.connected;
  readonly attempt = this.status.attempt.asReadonly();
  readonly nextRetryAt = this.status.nextRetryAt.asReadonly();
  readonly lastError = this.status.lastError.asReadonly();
  /** Chat keeps one cursor per room (`ChatRoom.cursor`); this one stays null. */
  readonly cursor = this.status.cursor.asReadonly();
  /** The latest gap of any room (see `ChatRoom.gap` for the room). */
  readonly gap = this.status.gap.asReadonly();
  /** The user name the server assigned (the token's `sub`, the requested name, or a guest name). */
  readonly user = this.userSignal.asReadonly();
  /** Round trip of the last ping, in ms; null while not connected. */
  readonly latencyMs = this.latencySignal.asReadonly();
  /** Rooms joined through {@link ChatService.join}, in join order. */
  readonly rooms = this.roomsSignal.asReadonly();
  private readonly transportSignal = signal<RealtimeTransportKind | null>(null);
  /**
   * The transport in use while connected (`websocket`, or chat over `sse` / `long-poll` where
   * WebSocket does not get through); null otherwise.
   */
  readonly transport = this.transportSignal.asReadonly();

  private readonly handles = new Map<string, RoomHandle>();
  private destroyed = false;
  private name: string | null = null;
  private connection: Connection | null = null;
  private selector: TransportSelector | null = null;
  private unmirror: (() => void) | null = null;

  /** What the network changed (a room's name, or null for the client-wide state), applied once per burst. */
  private readonly changes = this.runtime.burstQueue<string | null>((batch) => this.apply(batch));

  private readonly client = new ChatClient({
    messageBufferSize: this.runtime.config.buffers.messages,
    pingIntervalMs: PING_INTERVAL_MS,
    pongTimeoutMs: PONG_TIMEOUT_MS,
    onChange: (room) => this.changes.push(room),
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
    if (!this.runtime.browser || this.destroyed) return;
    const renamed = options.name !== undefined && options.name !== this.name;
    this.name = options.name ?? this.name;
    const connection = (this.connection ??= this.createConnection());
    this.runtime.outsideAngular(() => {
      if (renamed) connection.stop();
      connection.start();
    });
  }

  /** Closes the socket cleanly; unsent messages stay `pending` and go out on the next `connect()`. */
  disconnect(): void {
    this.connection?.stop();
    this.selector?.stop();
    this.changes.flush();
  }

  /** Skips the backoff wait (or starts over after `failed`). */
  retryNow(): void {
    const connection = this.connection;
    if (connection) this.runtime.outsideAngular(() => connection.retryNow());
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

  private createConnection(): Connection {
    const { config } = this.runtime;
    const socketUrl = (token: string | null) =>
      chatEndpointUrl(resolveChatUrl(config), this.runtime.documentBaseUri(), { name: this.name, token });
    // A seam races itself, if at all (tab sharing's leader does, and says what it chose): one lane, nothing remembered or probed here.
    const seam = this.runtime.transports() !== null;
    const order = seam ? (['websocket'] as const) : serviceOrder(config.transports, DEFAULT_CHAT_TRANSPORTS);
    const selector = new TransportSelector({
      order,
      fallback: seam ? { ...config.transportFallback, rememberMs: 0, reprobeMs: 0 } : config.transportFallback,
      // the leader tab's network remembers under the same key: with rememberMs 0 this selector never writes it
      memory: sharedTransportMemory(this.document),
      probe: (kind) => this.probe(kind, socketUrl),
      upgrade: () => this.runtime.outsideAngular(() => connection.restartNow()),
      changed: (kind) => this.transportSignal.set(kind),
    });
    this.selector = selector;
    const connection: Connection = new Connection(
      chatAttempt(this.client, {
        token: config.authToken ? () => this.runtime.token() : null,
        socketUrl,
        openSocket: (req, sink) => this.openSocket(req, sink),
        openHttpChat: (req, sink) => openHttpChat(this.runtime.fetch(), req, sink),
        order: (endpoint) => selector.orderForAttempt(endpoint),
        fallback: config.transportFallback,
        chosen: (kind) => selector.chosen(kind),
      }),
      // Ping/pong detects a dead socket within PING_INTERVAL_MS + PONG_TIMEOUT_MS while the page runs; this
      // runner watchdog is for waking up (sleep, a frozen tab), set well above the minute-aligned timers of a
      // background tab so a throttled ping is not taken for a dead socket.
      this.runtime.connectionOptions(WATCHDOG_MS),
    );
    const unmirror = mirrorConnection(connection, this.status);
    const unwatch = connection.subscribe((snapshot) => {
      if (snapshot.state !== 'open') selector.ended();
    });
    this.unmirror = () => {
      unmirror();
      unwatch();
    };
    return connection;
  }

  private openSocket(req: SocketRequest, sink: SocketSink): SocketHandle {
    const seam = this.runtime.transports();
    return seam ? seam.openSocket(req, sink) : openWebSocket(this.runtime.webSocket(), req, sink);
  }

  /** Tries `kind` (the preferred transport) on its own: true when the server's welcome came through in time. */
  private async probe(kind: RealtimeTransportKind, socketUrl: (token: string | null) => string): Promise<boolean> {
    if (kind !== 'websocket') return false;
    const { config } = this.runtime;
    const token = config.authToken ? await this.runtime.token() : null;
    return probeSocket((sink) => this.openSocket({ url: socketUrl(token) }, sink), config.transportFallback.firstFrameMs);
  }

  private leave(room: string): void {
    const handle = this.handles.get(room);
    if (!handle) return;
    this.handles.delete(room);
    this.roomsSignal.set([...this.handles.values()]);
    this.client.leave(room);
    handle.markLeft();
    this.changes.flush();
  }

  /** Runs a local action and shows its result at once (a sent message appears before `send` returns). */
  private locally<T>(action: () => T): T {
    const result = action();
    this.changes.flush();
    return result;
  }

  private apply(changed: readonly (string | null)[]): void {
    let clientChanged = false;
    for (const room of new Set(changed)) {
      if (room === null) {
        clientChanged = true;
        continue;
      }
      const state = this.client.room(room);
      if (state) this.handles.get(room)?.refresh(state);
    }
    if (!clientChanged) return;
    this.userSignal.set(this.client.user);
    this.latencySignal.set(this.client.latencyMs);
    this.status.gap.set(latestGap(this.client.joinedRooms.map((r) => r.gap)));
  }

  private destroy(): void {
    this.destroyed = true;
    this.changes.dispose();
    this.connection?.stop();
    this.selector?.stop();
    this.unmirror?.();
    this.client.dispose();
  }
}

function latestGap(gaps: readonly (RealtimeGap | null)[]): RealtimeGap | null {
  let latest: RealtimeGap | null = null;
  for (const gap of gaps) if (gap && (!latest || gap.at >= latest.at)) latest = gap;
  return latest;
}
