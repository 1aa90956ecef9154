import type { Signal } from '@angular/core';
import type { Observable } from 'rxjs';
import type { RealtimeEvent } from '../core/types';
import type { ConnectionStatus } from '../status/connection-status';

/**
 * Options of `LongPollService.watch`.
 *
 * @example
 * ```ts
 * longPoll.watch('orders', { timeoutMs: 20_000, limit: 50, bufferSize: 500, url: '/v2/orders/poll' });
 * ```
 */
export interface LongPollOptions {
  /** How long the server may hold a poll. Default 25000 (server bounds 0..60000). */
  timeoutMs?: number;
  /** Events per answer. Default 100 (server bounds 1..1000). */
  limit?: number;
  /** Resume after this event id; absent means "from now". */
  cursor?: string;
  /** Events kept in `events`. Default `buffers.events` (200). */
  bufferSize?: number;
  /**
   * The long-poll URL of this topic (relative or absolute, no query: `cursor`, `timeout`
   * and `limit` are appended). Default: the `poll` endpoint of `withEndpoints`, else
   * `${baseUrl}/poll/<topic>`. The backend answers as docs/PROTOCOL.md describes.
   */
  url?: string;
}

/**
 * One topic followed by long polling: the events as a bounded signal, the latest
 * one, an Observable of each event once, and the connection status.
 *
 * @example
 * ```ts
 * readonly orders = inject(LongPollService).watch<Order>('orders');
 * // template: @for (e of orders.events(); track e.id) { <li>{{ e.data.status }}</li> }
 * ```
 */
export interface LongPollFeed<T = unknown> extends ConnectionStatus {
  readonly topic: string;
  /** Oldest first, at most `bufferSize` entries. */
  readonly events: Signal<readonly RealtimeEvent<T>[]>;
  readonly latest: Signal<RealtimeEvent<T> | null>;
  /** Every event once, in order. Completes on `stop()`. */
  readonly events$: Observable<RealtimeEvent<T>>;
  /** Stops polling for good (state `closed`). */
  stop(): void;
}
