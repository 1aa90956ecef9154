import { Injectable, inject } from '@angular/core';
import { ChatService, LongPollFeed, LongPollService, NotificationService } from 'ngx-realtime-signals';
import type { OrderProgress } from '../orders/order-progress';

/** Topics the demo-server's scenario publishes to. */
export const DEMO_TOPICS = { notifications: 'notifications', orders: 'orders' } as const;

/**
 * The app's three live connections, opened once at start-up and shared by every
 * page, so the status strip can show all of them wherever the user is.
 */
@Injectable({ providedIn: 'root' })
export class DemoConnections {
  readonly notifications: NotificationService = inject(NotificationService);
  readonly chat = inject(ChatService);
  readonly orders: LongPollFeed<OrderProgress> = inject(LongPollService).watch<OrderProgress>(DEMO_TOPICS.orders);

  constructor() {
    this.notifications.connect(DEMO_TOPICS.notifications);
  }
}
