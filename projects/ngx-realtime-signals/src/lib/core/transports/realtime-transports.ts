/**
 * The transport seam: what the services ask of a transport and what a transport
 * reports back. Plain TypeScript (no Angular imports); `provideRealtime()` binds
 * the fetch/WebSocket implementation, `provideRealtimeTesting()` a controllable one.
 */
import type { RealtimeError, RealtimeEvent } from '../types';
import type { SseParse } from './sse-parse';
import type { RealtimeTransportKind } from './transport-kind';

/**
 * One SSE connection attempt as the services ask for it.
 * `url` is the topic's stream URL: `${baseUrl}/events/${encodeURIComponent(topic)}`
 * unless an endpoint says otherwise (`withEndpoints`, `connect(topic, { url })`); the
 * transport sends `cursor` as `Last-Event-ID` when it is non-null.
 * `headers` already holds `Authorization` when an auth token function is configured.
 * `parse` says how `data` becomes an event (absent: this library's protocol, else JSON or text).
 *
 * @example
 * ```ts
 * const req: StreamRequest = { url: '/api/events/news', topic: 'news', cursor: null, headers: {} };
 * ```
 */
export interface StreamRequest {
  url: string;
  topic: string;
  cursor: string | null;
  headers: Record<string, string>;
  parse?: SseParse;
}

/**
 * What an SSE transport reports for one connection attempt. After `closed` the
 * transport calls nothing else.
 *
 * @example
 * ```ts
 * transports.openStream(req, { opened() {}, event(e) {}, reset(c) {}, position(c) {}, retryHint(ms) {}, activity() {}, closed(err) {} });
 * ```
 */
export interface StreamSink {
  /** Response headers accepted (status 200, `text/event-stream`). */
  opened(): void;
  /**
   * The transport actually carrying this stream, when the seam chose it itself (the tab that
   * holds the shared connections races SSE against long polling); told before `opened`.
   */
  transport?(kind: RealtimeTransportKind): void;
  /**
   * One complete event, its `data` read as `StreamRequest.parse` says; `type` is the
   * envelope's type or the SSE event name (`message` by default). `id` is `''` for a
   * message that carried no id: it cannot be deduplicated, and the cursor stays where it was.
   */
  event(e: RealtimeEvent): void;
  /**
   * The server said `reset`: the cursor was a gap. `cursor` is the position just
   * before the oldest retained event; the retained events follow as ordinary events.
   */
  reset(cursor: string): void;
  /**
   * The server's position for a reader that had no cursor yet (SSE `cursor` frame):
   * move the cursor there, deliver nothing. Not a gap. `null`: the server cleared the
   * last event id (an empty `id:` field), so the next attempt starts from now.
   */
  position(cursor: string | null): void;
  /** The server's `retry:` field, in ms. */
  retryHint(ms: number): void;
  /** Any bytes arrived, including `: ping` comments (feeds the heartbeat watchdog). */
  activity(): void;
  /** The stream ended or failed; `error.retryable` decides between retry and `failed`. */
  closed(error: RealtimeError): void;
}

/**
 * One long-poll request. `url` is `${baseUrl}/poll/${encodeURIComponent(topic)}`
 * (no query); the transport appends `cursor`, `timeout` and `limit`.
 *
 * @example
 * ```ts
 * const req: PollRequest = { url: '/api/poll/news', topic: 'news', cursor: null, timeoutMs: 25000, limit: 100,
 *   headers: {}, signal: new AbortController().signal };
 * ```
 */
export interface PollRequest {
  url: string;
  topic: string;
  cursor: string | null;
  timeoutMs: number;
  limit: number;
  headers: Record<string, string>;
  signal: AbortSignal;
}

/**
 * A long-poll answer: events after the cursor and the cursor to use next.
 * `reset: true` means the cursor was a gap: `events` are the oldest retained
 * events and `cursor` is where to continue from, as always.
 *
 * @example
 * ```ts
 * const res: PollResponse = { events: [], cursor: 'k1-0' };
 * ```
 */
export interface PollResponse {
  events: RealtimeEvent[];
  cursor: string;
  reset?: boolean;
}

/**
 * A WebSocket connection request: the full `ws(s)://` URL including its query.
 *
 * @example
 * ```ts
 * const req: SocketRequest = { url: 'wss://example.com/api/chat?name=ada' };
 * ```
 */
export interface SocketRequest {
  url: string;
}

/**
 * What a WebSocket transport reports for one connection attempt.
 *
 * @example
 * ```ts
 * const sink: SocketSink = { opened() {}, message(frame) {}, closed(err) {} };
 * ```
 */
export interface SocketSink {
  opened(): void;
  /**
   * The transport actually carrying this chat connection, when the seam chose it itself (the tab
   * that holds the shared connections races WebSocket against chat over HTTP); told before the first frame.
   */
  transport?(kind: RealtimeTransportKind): void;
  message(frame: { type: string; [k: string]: unknown }): void;
  closed(error: RealtimeError): void;
}

/**
 * A live WebSocket attempt: send JSON frames, close it.
 *
 * @example
 * ```ts
 * handle.send({ type: 'ping', t: Date.now() }); handle.close();
 * ```
 */
export interface SocketHandle {
  send(frame: { type: string; [k: string]: unknown }): void;
  close(): void;
}

/**
 * The transport seam and its DI token. Services never touch `fetch` or
 * `WebSocket` directly: `provideRealtime()` provides the fetch/WebSocket
 * implementation, `provideRealtimeTesting()` a controllable one. Reconnection,
 * cursors, dedup and the outbox live above this seam. Private: exported only as
 * `ɵRealtimeTransports`, for the testing entry point; apps swap `fetch` and
 * `WebSocket` with `withFetch` and `withWebSocket`.
 *
 * @example
 * ```ts
 * class RecordingTransports extends RealtimeTransports {
 *   openStream(req: StreamRequest, sink: StreamSink) { sink.opened(); return () => {}; }
 *   poll(req: PollRequest) { return Promise.resolve({ events: [], cursor: req.cursor ?? '0' }); }
 *   openSocket(req: SocketRequest, sink: SocketSink) { sink.opened(); return { send() {}, close() {} }; }
 * }
 * providers: [{ provide: RealtimeTransports, useClass: RecordingTransports }]
 * ```
 */
export abstract class RealtimeTransports {
  /** Opens one SSE attempt; returns its teardown (aborts the request). */
  abstract openStream(req: StreamRequest, sink: StreamSink): () => void;
  /** One long poll; rejects with a {@link RealtimeError}. */
  abstract poll(req: PollRequest): Promise<PollResponse>;
  /** Opens one WebSocket attempt. */
  abstract openSocket(req: SocketRequest, sink: SocketSink): SocketHandle;
}
