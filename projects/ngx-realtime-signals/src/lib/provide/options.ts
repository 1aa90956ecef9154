import type { ReconnectOptions } from '../core/reconnect-policy';
import type { RealtimeTransportKind, TransportFallbackOptions } from '../core/transports/transport-kind';
import type { RealtimeEndpoints } from './endpoints';

/**
 * How many items each service keeps in its signals (oldest dropped first).
 *
 * @example
 * ```ts
 * provideRealtime(withBuffers({ notifications: 50 }));
 * ```
 */
export interface BufferSizes {
  /** `NotificationService.notifications`. Default 200. */
  notifications: number;
  /** `ChatRoom.messages`, per room. Default 500. */
  messages: number;
  /** `LongPollFeed.events`. Default 200. */
  events: number;
}

/**
 * A token function: called before every (re)connect, so a refreshed token is picked up.
 *
 * @example
 * ```ts
 * const token: AuthTokenFn = async () => (await inject(AuthService).refreshIfNeeded()).accessToken;
 * ```
 */
export type AuthTokenFn = () => string | null | undefined | Promise<string | null | undefined>;

/**
 * Everything `provideRealtime` accepts in one object.
 *
 * @example
 * ```ts
 * provideRealtime({ baseUrl: 'https://api.example.com/api', authToken: () => inject(Auth).token() });
 * ```
 */
export interface RealtimeOptions {
  /** Base of every URL. Default `/api`. */
  baseUrl?: string;
  reconnect?: Partial<ReconnectOptions>;
  /** Sent as `Authorization: Bearer <token>` (HTTP) or `access_token` (WebSocket). Runs in the injection context. */
  authToken?: AuthTokenFn;
  buffers?: Partial<BufferSizes>;
  /** The server's heartbeat interval; a silent SSE stream is restarted after twice this (0: never). Default 15000. */
  heartbeatMs?: number;
  /** URLs of a backend with its own layout (see `withEndpoints`); entries merge one by one. */
  endpoints?: RealtimeEndpoints;
  /** The transports the services may use, most preferred first (see `withTransports`). Default: each service's own order. */
  transports?: readonly RealtimeTransportKind[];
  /** Head start, first-frame deadline, memory and re-probe of the fallback (see `withTransports`). */
  transportFallback?: Partial<TransportFallbackOptions>;
}

/**
 * The options after defaults were applied, as provided by `REALTIME_CONFIG`.
 *
 * @example
 * ```ts
 * const { baseUrl, buffers } = inject(REALTIME_CONFIG);
 * ```
 */
export interface ResolvedRealtimeConfig {
  readonly baseUrl: string;
  readonly reconnect: Readonly<ReconnectOptions>;
  readonly authToken: AuthTokenFn | null;
  readonly buffers: Readonly<BufferSizes>;
  readonly heartbeatMs: number;
  /** The endpoints given to `withEndpoints` (empty: everything under `baseUrl`). */
  readonly endpoints: Readonly<RealtimeEndpoints>;
  /** The order given to `withTransports`; null: each service's own default order. */
  readonly transports: readonly RealtimeTransportKind[] | null;
  readonly transportFallback: Readonly<TransportFallbackOptions>;
}

/**
 * The defaults of {@link BufferSizes}.
 *
 * @example
 * ```ts
 * provideRealtime(withBuffers({ notifications: DEFAULT_BUFFERS.notifications * 2 }));
 * ```
 */
export const DEFAULT_BUFFERS: Readonly<BufferSizes> = Object.freeze({ notifications: 200, messages: 500, events: 200 });

/**
 * The default heartbeat interval (ms) the SSE watchdog expects.
 *
 * @example
 * ```ts
 * provideRealtime(withHeartbeat(DEFAULT_HEARTBEAT_MS * 2));
 * ```
 */
export const DEFAULT_HEARTBEAT_MS = 15000;
