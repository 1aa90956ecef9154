import type { Signal } from '@angular/core';
import type { Notification, RealtimeEvent } from 'ngx-realtime-signals';

/**
 * What the notification components read and call. `NotificationService` fits it;
 * so does a plain object of signals in a test.
 */
export interface NotificationSource {
  readonly notifications: Signal<readonly Notification<unknown>[]>;
  readonly unreadCount: Signal<number>;
  markRead(id: string): void;
  markAllRead(): void;
  dismiss(id: string): void;
}

/** Anything with an `events` signal (oldest first), such as a `LongPollFeed`. */
export interface EventFeedSource {
  readonly events: Signal<readonly RealtimeEvent<unknown>[]>;
}
