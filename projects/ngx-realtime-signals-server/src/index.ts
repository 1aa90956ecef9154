/**
 * ngx-realtime-signals-server: the SSE, long-poll and WebSocket chat transports
 * of docs/PROTOCOL.md for any Express 5 app. `createRealtime` is the door;
 * the rest is what an app needs to configure, observe and test it.
 */
export { createRealtime, type Realtime } from './realtime.js';
export {
  MIN_AUTH_SECRET_BYTES,
  RealtimeOptionsError,
  SETTING_BOUNDS,
  type RealtimeOptions,
  type RealtimeSettings,
} from './options.js';
export { LogUnavailableError, type EventLog, type LogStatus, type LoggedEvent, type ReadResult } from './log/event-log.js';
export type { ChatRelay, RelayedAnswer, RelayedRequest } from './log/chat-relay.js';
export { MemoryEventLog, type MemoryEventLogOptions } from './log/memory-log.js';
export { RedisEventLog, redisLog, type RedisEventLogOptions } from './log/redis-log.js';
export { createMetrics, type Metrics, type MetricsOptions, type Transport } from './metrics.js';
export { metricsHandler, type ConnectionCounts } from './transports/health.js';
export type { Logger } from './logger.js';
export { ApiError, ERRORS, errorBody, sendError, type ErrorBody, type ErrorCode } from './errors.js';
export { errorHandler } from './error-handler.js';
export { redactUrl, requestLog } from './request-log.js';
export { mintToken, type MintOptions } from './auth/mint-token.js';
export { PUBLISH_SCOPE } from './auth/identity.js';
export { TOPIC_PATTERN, isValidTopic } from './topic.js';
export { EVENT_TYPE_PATTERN, RESERVED_EVENT_TYPES } from './event-type.js';
export { CHAT_ERRORS, CLOSE_CODES, type ChatErrorCode } from './transports/chat/chat-errors.js';
export { MAX_HISTORY_PAGES, TYPING_INTERVAL_MS } from './transports/chat/room-channel.js';
export {
  CONFORMANCE_CHECKS,
  runConformance,
  type CheckResult,
  type ConformanceOptions,
  type ConformanceReport,
} from './conformance/conformance.js';
