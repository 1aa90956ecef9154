/*
 * Public API of ngx-realtime-signals/ui: standalone components built on the
 * library's public services. Every exported symbol is named here.
 */
export { RtConnectionStatus } from './connection-status/rt-connection-status';
export { RtNotificationBell } from './notification-bell/rt-notification-bell';
export { RtToastOutlet, type Toast } from './toast-outlet/rt-toast-outlet';
export { RtChatRoom } from './chat-room/rt-chat-room';
export { typingText } from './chat-room/typing-text';
export { RtLiveFeed } from './live-feed/rt-live-feed';
export { eventText, type EventTextFormat } from './shared/event-text';
export type { NotificationSource, EventFeedSource } from './shared/sources';
