import type { SseParse } from '../core/transports/sse-parse';
import type { RealtimeEvent } from '../core/types';
import type { StreamOptions } from '../provide/endpoints';

/**
 * A notification: the event as delivered plus its read flag.
 *
 * @example
 * ```ts
 * const unread = notifications.notifications().filter((n: Notification) => !n.read);
 * ```
 */
export type Notification<T = unknown> = RealtimeEvent<T> & { read: boolean };

/**
 * Options of `NotificationService.connect` for one stream; they override the
 * `events` endpoint of `withEndpoints`. `parse` must produce the service's `T`;
 * `'text'` is accepted only where `T` can be a string.
 *
 * @example
 * ```ts
 * inject(NotificationService<Order>).connect('orders', {
 *   url: '/stream/orders',                       // the whole URL; default `${baseUrl}/events/orders`
 *   parse: (m) => toOrder(JSON.parse(m.data)),   // default: JSON when it parses, else the text
 *   heartbeatMs: 0,                              // this server sends no heartbeat comments
 * });
 * ```
 */
export interface NotificationConnectOptions<T = unknown> extends Omit<StreamOptions<T>, 'parse'> {
  /** The stream URL of this topic (relative or absolute), used as is. */
  url?: string;
  parse?: 'json' | (string extends T ? 'text' : never) | Exclude<SseParse<T>, string>;
}
