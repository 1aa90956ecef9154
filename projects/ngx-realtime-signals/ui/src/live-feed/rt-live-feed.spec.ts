import { Component, Signal, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { RealtimeEvent } from 'ngx-realtime-signals';
import { event } from '../testing-support/fake-sources';
import { HOSTILE_TEXT, query, texts } from '../testing-support/dom';
import type { EventFeedSource } from '../shared/sources';
import { RtLiveFeed } from './rt-live-feed';

@Component({
  imports: [RtLiveFeed],
  template: `<rt-live-feed label="Orders" [source]="source()" [limit]="limit()" />`,
})
class Host {
  readonly source = signal<EventFeedSource | Signal<readonly RealtimeEvent<unknown>[]>>(signal([]));
  readonly limit = signal(100);
}

function render(source: EventFeedSource | Signal<readonly RealtimeEvent<unknown>[]>) {
  const fixture = TestBed.createComponent(Host);
  fixture.componentInstance.source.set(source);
  fixture.detectChanges();
  const element = query(fixture.nativeElement as HTMLElement, 'rt-live-feed');
  return { fixture, element };
}

describe('RtLiveFeed', () => {
  it('lists a feed object\'s events newest first in a labelled polite log', () => {
    const events = signal<readonly RealtimeEvent<unknown>[]>([event('1', { text: 'placed' }), event('2', { text: 'paid' })]);
    const { element, fixture } = render({ events });

    const log = query(element, '[role="log"]');
    expect(log.getAttribute('aria-live')).toBe('polite');
    expect(log.getAttribute('aria-label')).toBe('Orders');
    expect(texts(log, '.rt-feed-text')).toEqual(['paid', 'placed']);

    events.update((list) => [...list, event('3', { text: 'shipped' }, 'order.shipped')]);
    fixture.detectChanges();
    expect(texts(log, '.rt-feed-text')).toEqual(['shipped', 'paid', 'placed']);
    expect(texts(log, '.rt-feed-type')[0]).toBe('order.shipped');
    expect(log.querySelector('li')?.getAttribute('data-event-id')).toBe('3');
  });

  it('accepts a plain signal of events', () => {
    const { element } = render(signal([event('1', 'one'), event('2', 'two')]));

    expect(texts(element, '.rt-feed-text')).toEqual(['two', 'one']);
  });

  it('shows only the newest events up to the limit', () => {
    const { element, fixture } = render(signal([event('1', 'one'), event('2', 'two'), event('3', 'three')]));
    fixture.componentInstance.limit.set(2);
    fixture.detectChanges();

    expect(texts(element, '.rt-feed-text')).toEqual(['three', 'two']);
  });

  it('says it is waiting while there are no events', () => {
    const { element } = render(signal([]));

    expect(texts(element, '.rt-feed-empty')).toEqual(['Waiting for events…']);
  });

  it('renders event text as text, creating no element', () => {
    const { element } = render(signal([event('1', { text: HOSTILE_TEXT })]));

    expect(texts(element, '.rt-feed-text')).toEqual([HOSTILE_TEXT]);
    expect(element.querySelector('img')).toBeNull();
  });
});
