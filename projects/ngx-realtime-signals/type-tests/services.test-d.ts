/** The public generics of the services, as an app sees them. */
import { inject, type Signal } from '@angular/core';
import type { Observable } from 'rxjs';
import {
  ChatService,
  LongPollService,
  NotificationService,
  type ChatMessage,
  type ChatRoom,
  type ConnectionStatus,
  type LongPollFeed,
  type Notification,
  type RealtimeEvent,
} from 'ngx-realtime-signals';
import { expectType } from './type-assert';

interface Order {
  status: 'paid' | 'shipped';
}

// NotificationService<T>: the data type reaches the notifications, the events and their data.
const alerts = inject(NotificationService<{ text: string }>);
expectType<Signal<readonly Notification<{ text: string }>[]>>()(alerts.notifications);
expectType<Observable<RealtimeEvent<{ text: string }>>>()(alerts.events$);
expectType<string>()(alerts.notifications()[0].data.text);
expectType<boolean>()(alerts.notifications()[0].read);
// @ts-expect-error the data type has no `title`
void alerts.notifications()[0].data.title;

// Without a data type the data is unknown. (Annotate the field: `inject` infers any for the
// type parameter of a generic class given without a concrete type argument.)
const untyped: NotificationService = inject(NotificationService);
expectType<unknown>()(untyped.notifications()[0].data);

// LongPollService.watch<T>: the feed carries T.
const orders = inject(LongPollService).watch<Order>('orders', { timeoutMs: 20_000, limit: 50 });
expectType<LongPollFeed<Order>>()(orders);
expectType<Signal<readonly RealtimeEvent<Order>[]>>()(orders.events);
expectType<Signal<RealtimeEvent<Order> | null>>()(orders.latest);
expectType<'paid' | 'shipped' | undefined>()(orders.latest()?.data.status);
// @ts-expect-error `limit` is a number
inject(LongPollService).watch('orders', { limit: '50' });

// ChatService: the user is a name (a string), not an object.
const chat = inject(ChatService);
expectType<Signal<string | null>>()(chat.user);
// @ts-expect-error `user()` is the user's name, a string
void chat.user()?.name;
const lobby = chat.join('lobby');
expectType<ChatRoom>()(lobby);
expectType<ChatMessage>()(lobby.send('hi'));
expectType<void>()(lobby.setTyping());
expectType<'pending' | 'sent' | 'failed'>()(lobby.messages()[0].status);

// Every service and feed is a ConnectionStatus, so one status component fits all.
const statuses: ConnectionStatus[] = [alerts, orders, chat];
expectType<ConnectionStatus[]>()(statuses);
