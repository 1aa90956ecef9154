/**
 * Standalone, accessible components built on the library's public services:
 * connection status, notification bell, toasts, chat room, live feed. Every
 * exported symbol is named here.
 *
 * @packageDocumentation
 * @module ngx-realtime-signals/ui
 */
export { RtConnectionStatus } from './connection-status/rt-connection-status';
export { RtNotificationBell } from './notification-bell/rt-notification-bell';
export { RtToastOutlet, type Toast } from './toast-outlet/rt-toast-outlet';
export { RtChatRoom } from './chat-room/rt-chat-room';
export { typingText } from './chat-room/typing-text';
export { RtLiveFeed } from './live-feed/rt-live-feed';
export { eventText, type EventTextFormat } from './shared/event-text';
export type { NotificationSource, EventFeedSource } from './shared/sources';
