/**
 * Real-time data for Angular as signals: `NotificationService` (Server-Sent
 * Events), `LongPollService` (long polling) and `ChatService` (WebSocket), set up
 * with `provideRealtime(...)`.
 *
 * Every exported symbol is named here, once. The goldens in goldens/public-api/
 * record this surface; `npm run api:update` refreshes them after a deliberate
 * change. Exports prefixed with ɵ are private: they exist for the library's own
 * secondary entry points (`ngx-realtime-signals/testing`) and may change in any
 * release.
 *
 * @packageDocumentation
 * @module ngx-realtime-signals
 */
export { VERSION } from './version';

// vocabulary
export type { ConnectionState, RealtimeError, RealtimeEvent, RealtimeGap } from './lib/core/types';
export type { RealtimeErrorCode } from './lib/core/errors';
export type { ConnectionStatus } from './lib/status/connection-status';

// setup
export { provideRealtime } from './lib/provide/provide-realtime';
export type { AuthTokenFn, BufferSizes, RealtimeOptions } from './lib/provide/options';
export type { ReconnectOptions } from './lib/core/reconnect-policy';
export {
  type RealtimeEndpoints,
  type StreamEndpoint,
  type StreamOptions,
  type TopicUrl,
  withEndpoints,
} from './lib/provide/endpoints';
export type { SseMessage, SseParse } from './lib/core/transports/sse-parse';
export {
  type RealtimeFeature,
  type RealtimeFeatureKind,
  withAuthToken,
  withBaseUrl,
  withBuffers,
  withFetch,
  withHeartbeat,
  withReconnect,
  withTransports,
  withWebSocket,
} from './lib/provide/features';
export type { RealtimeTransportKind, TransportFallbackOptions } from './lib/core/transports/transport-kind';

// notifications (SSE)
export { NotificationService } from './lib/notifications/notification.service';
export type { Notification, NotificationConnectOptions } from './lib/notifications/notification';

// long polling
export { LongPollService } from './lib/long-poll/long-poll.service';
export type { LongPollFeed, LongPollOptions } from './lib/long-poll/long-poll-feed';

// chat (WebSocket)
export { ChatService } from './lib/chat/chat.service';
export type { ChatRoom } from './lib/chat/room-handle';
export type { ChatMessage } from './lib/core/chat/chat-message';

// sharing one set of connections between the tabs of a browser
export { withTabSharing } from './lib/tab-sharing/with-tab-sharing';
export { TabSharing, type TabSharingOptions } from './lib/tab-sharing/tab-sharing';
export type { TabSharingRole } from './lib/tab-sharing/tab-sharing-session';

// private: the transport seam and error constructors, for ngx-realtime-signals/testing
export {
  RealtimeTransports as ɵRealtimeTransports,
  type PollRequest as ɵPollRequest,
  type PollResponse as ɵPollResponse,
  type SocketHandle as ɵSocketHandle,
  type SocketRequest as ɵSocketRequest,
  type SocketSink as ɵSocketSink,
  type StreamRequest as ɵStreamRequest,
  type StreamSink as ɵStreamSink,
} from './lib/core/transports/realtime-transports';
export {
  httpError as ɵhttpError,
  networkError as ɵnetworkError,
  realtimeError as ɵrealtimeError,
  socketClosedError as ɵsocketClosedError,
} from './lib/core/errors';

// private: tab sharing's page environment and simulated role, for ngx-realtime-signals/testing
export { ɵTAB_ENVIRONMENT, ɵTAB_SHARING_SIMULATION } from './lib/tab-sharing/tab-sharing';
export type { TabChannel as ɵTabChannel, TabEnvironment as ɵTabEnvironment, TabLocks as ɵTabLocks } from './lib/tab-sharing/tab-environment';

// private: the SSE reader, so TestStream.message reads a raw message as the transport does
export { sseMessageReader as ɵsseMessageReader } from './lib/core/transports/sse-transport';

// private: burst delivery once per animation frame, turned off by provideRealtimeTesting()
export { REALTIME_FRAME_ALIGNED as ɵREALTIME_FRAME_ALIGNED } from './lib/provide/tokens';
