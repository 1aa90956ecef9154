/**
 * Unit-test components that use the services without a server:
 * `provideRealtimeTesting(...)` and `RealtimeTestingController`, in the style of
 * Angular's `HttpTestingController`. Every exported symbol is named here; ɵ
 * exports are private.
 *
 * @packageDocumentation
 * @module ngx-realtime-signals/testing
 */
export { provideRealtimeTesting } from './provide-realtime-testing';
export { RealtimeTestingController, type TestConnectionFor } from './realtime-testing-controller';
export type { RealtimeMatch, RealtimeMatcher } from './connection-match';
export type { TestConnection } from './test-connection';
export { TestStream } from './test-stream';
export { TestPoll, type TestPollAnswer } from './test-poll';
export { TestSocket, type TestChatMessageInit } from './test-socket';
export type { ChatFrame, SentFrameMatch } from './sent-frame-match';
export type { TestEventInit } from './event-defaults';

// private: the base the test connections share and what it needs from the controller
export { TestConnectionBase as ɵTestConnectionBase, type ConnectionHost as ɵConnectionHost } from './test-connection';
export { EventIds as ɵEventIds } from './event-defaults';
export { provideTabSharingTesting, TabSharingTesting } from './tab-sharing-testing';
