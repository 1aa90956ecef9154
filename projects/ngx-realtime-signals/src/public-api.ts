/*
 * Public API of ngx-realtime-signals. Every exported symbol is named here.
 */
export const VERSION = '0.1.0';

// core: vocabulary and the transport seam
export type {
  ConnectionState,
  RealtimeError,
  RealtimeEvent,
  RealtimeGap,
} from './lib/core/types';
export {
  RealtimeTransports,
  type StreamRequest,
  type StreamSink,
  type PollRequest,
  type PollResponse,
  type SocketRequest,
  type SocketSink,
  type SocketHandle,
} from './lib/core/transports/realtime-transports';
export { type ReconnectOptions, DEFAULT_RECONNECT, ReconnectPolicy } from './lib/core/reconnect-policy';
export { httpError, networkError, realtimeError, isRealtimeError, TOKEN_EXPIRED } from './lib/core/errors';
export {
  Connection,
  type AttemptContext,
  type ConnectionAttempt,
  type ConnectionOptions,
  type ConnectionSnapshot,
} from './lib/core/connection';
export { type ConnectionEnvironment, type ListenerTarget, browserEnvironment } from './lib/core/connection-environment';

// status
export type { ConnectionStatus } from './lib/status/connection-status';
export { ConnectionStatusSignals, mirrorConnection } from './lib/status/connection-status-signals';

// provide
export type { RealtimeOptions, ResolvedRealtimeConfig, BufferSizes, AuthTokenFn } from './lib/provide/options';
export { DEFAULT_BUFFERS, DEFAULT_HEARTBEAT_MS } from './lib/provide/options';
export { REALTIME_CONFIG, REALTIME_FETCH, REALTIME_WEBSOCKET } from './lib/provide/tokens';
export {
  type RealtimeFeature,
  type RealtimeFeatureKind,
  withBaseUrl,
  withReconnect,
  withAuthToken,
  withBuffers,
  withHeartbeat,
  withFetch,
  withWebSocket,
} from './lib/provide/features';
export { provideRealtime } from './lib/provide/provide-realtime';
export { FetchRealtimeTransports } from './lib/provide/fetch-realtime-transports';

// chat
export type { ChatMessage } from './lib/core/chat/chat-message';
export type { ChatRoom } from './lib/chat/room-handle';
export { ChatService } from './lib/chat/chat.service';

// notifications (SSE)
export type { Notification } from './lib/notifications/notification';
export { NotificationService } from './lib/notifications/notification.service';

// long polling
export type { LongPollFeed, LongPollOptions } from './lib/long-poll/long-poll-feed';
export { LongPollService } from './lib/long-poll/long-poll.service';

// sharing one connection between the tabs of a browser
export { withTabSharing } from './lib/tab-sharing/with-tab-sharing';
export { TabSharing, type TabSharingOptions, ɵTAB_ENVIRONMENT, ɵTAB_SHARING_SIMULATION } from './lib/tab-sharing/tab-sharing';
export type { TabSharingRole } from './lib/tab-sharing/tab-sharing-session';
export type { TabEnvironment, TabLocks, TabChannel } from './lib/tab-sharing/tab-environment';
