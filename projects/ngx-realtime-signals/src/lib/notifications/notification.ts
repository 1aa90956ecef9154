import type { RealtimeEvent } from '../core/types';

/**
 * A notification: the event as delivered plus its read flag.
 *
 * @example
 * ```ts
 * const unread = notifications.notifications().filter((n: Notification) => !n.read);
 * ```
 */
export type Notification<T = unknown> = RealtimeEvent<T> & { read: boolean };
