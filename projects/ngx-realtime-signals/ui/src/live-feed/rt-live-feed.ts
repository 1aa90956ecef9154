import { ChangeDetectionStrategy, Component, Signal, computed, input, isSignal } from '@angular/core';
import { DatePipe } from '@angular/common';
import type { RealtimeEvent } from 'ngx-realtime-signals';
import { EventTextFormat, eventText } from '../shared/event-text';
import type { EventFeedSource } from '../shared/sources';

/**
 * A list of events, newest first, in a polite live region. Takes a
 * `LongPollFeed` (or anything with an `events` signal) or a signal of events.
 *
 * @example
 * <rt-live-feed label="Orders" [source]="ordersFeed" [format]="orderLine" />
 */
@Component({
  selector: 'rt-live-feed',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe],
  host: { class: 'rt-live-feed' },
  template: `
    <ol class="rt-feed" role="log" aria-live="polite" [attr.aria-label]="label()">
      @for (event of shown(); track event.id) {
        <li class="rt-feed-item" [attr.data-event-id]="event.id" [attr.data-event-type]="event.type">
          <time class="rt-feed-time">{{ event.ts | date: 'HH:mm:ss' }}</time>
          <span class="rt-feed-type">{{ event.type }}</span>
          <span class="rt-feed-text">{{ format()(event) }}</span>
        </li>
      } @empty {
        <li class="rt-feed-empty">{{ emptyText() }}</li>
      }
    </ol>
  `,
  styles: `
    :host { display: block; color: var(--rt-color-text, inherit); font-size: var(--rt-font-size, 0.875rem); }
    .rt-feed { list-style: none; margin: 0; padding: 0; border: 1px solid var(--rt-color-border, #8884);
      border-radius: var(--rt-radius, 0.5rem); background: var(--rt-color-surface, transparent);
      max-height: var(--rt-feed-max-height, none); overflow-y: auto; }
    .rt-feed-item { display: grid; grid-template-columns: auto auto 1fr; gap: 0.75rem; align-items: baseline;
      padding: 0.45rem 0.75rem; border-bottom: 1px solid var(--rt-color-border, #8882); }
    .rt-feed-item:last-child { border-bottom: 0; }
    .rt-feed-time { color: var(--rt-color-muted, #666); font-variant-numeric: tabular-nums; }
    .rt-feed-type { font-family: var(--rt-font-mono, ui-monospace, monospace); font-size: 0.8em; padding: 0 0.4rem;
      border-radius: var(--rt-radius, 0.5rem); background: var(--rt-color-tag, #3558d41a); }
    .rt-feed-text { overflow-wrap: anywhere; }
    .rt-feed-empty { padding: 0.75rem; color: var(--rt-color-muted, #666); }
  `,
})
export class RtLiveFeed {
  /** A `LongPollFeed`, anything with an `events` signal, or a signal of events (oldest first). */
  readonly source = input.required<EventFeedSource | Signal<readonly RealtimeEvent<unknown>[]>>();
  /** How an event becomes its line of text. */
  readonly format = input<EventTextFormat>(eventText);
  /** Accessible name of the list. */
  readonly label = input('Live events');
  /** Shows at most this many of the newest events. */
  readonly limit = input(100);
  /** Shown while there are no events. */
  readonly emptyText = input('Waiting for events…');

  protected readonly shown = computed(() => {
    const source = this.source();
    const events = isSignal(source) ? source() : source.events();
    return events.slice(-Math.max(0, this.limit())).reverse();
  });
}
