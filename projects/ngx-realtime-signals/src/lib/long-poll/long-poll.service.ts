import { DestroyRef, Injectable, inject } from '@angular/core';
import { injectRealtimeRuntime } from '../provide/realtime-runtime';
import type { LongPollFeed, LongPollOptions } from './long-poll-feed';
import { PollingFeed } from './polling-feed';

/**
 * Follows topics by HTTP long polling (`GET ${baseUrl}/poll/<topic>`, or the URL of
 * `withEndpoints` / `watch(topic, { url })`), for
 * networks where streams do not get through. Polls with `fetch` directly, so a
 * held request never keeps the app "unstable". Each feed resumes from its cursor
 * after a failure, so events arrive once and in order.
 *
 * @example
 * ```ts
 * @Component({
 *   selector: 'app-orders',
 *   template: `
 *     <span>{{ orders.state() }}</span>
 *     @for (e of orders.events(); track e.id) { <li>{{ e.data.status }}</li> }`,
 * })
 * export class OrdersComponent {
 *   // stops by itself when the component is destroyed
 *   readonly orders = inject(LongPollService).watch<{ status: string }>('orders', { timeoutMs: 20_000 });
 * }
 * ```
 */
@Injectable({ providedIn: 'root' })
export class LongPollService {
  private readonly runtime = injectRealtimeRuntime();
  private readonly feeds = new Set<PollingFeed<unknown>>();

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      for (const feed of [...this.feeds]) feed.stop();
    });
  }

  /**
   * Starts polling `topic` and returns its feed. Called in an injection context
   * (a component field or constructor), the feed stops when that context is
   * destroyed; otherwise call `stop()`. On the server platform the feed stays `idle`.
   */
  watch<T = unknown>(topic: string, options: LongPollOptions = {}): LongPollFeed<T> {
    const feed: PollingFeed<T> = new PollingFeed<T>(topic, options, this.runtime, () =>
      this.feeds.delete(feed as PollingFeed<unknown>),
    );
    this.feeds.add(feed as PollingFeed<unknown>);
    callerDestroyRef()?.onDestroy(() => feed.stop());
    feed.start();
    return feed;
  }
}

/** The DestroyRef of the caller's injection context, or null outside one. */
function callerDestroyRef(): DestroyRef | null {
  try {
    return inject(DestroyRef);
  } catch {
    return null;
  }
}
