import { Component, signal } from '@angular/core';
import { SIGNAL } from '@angular/core/primitives/signals';
import { TestBed } from '@angular/core/testing';
import { Observable, Subject } from 'rxjs';
import type { RealtimeEvent } from 'ngx-realtime-signals';
import { event } from '../testing-support/fake-sources';
import { HOSTILE_TEXT, query, texts } from '../testing-support/dom';
import { RtToastOutlet } from './rt-toast-outlet';

@Component({
  imports: [RtToastOutlet],
  template: `<rt-toast-outlet [events]="events()" title="New" [durationMs]="1000" [max]="3" />`,
})
class Host {
  readonly events = signal<Observable<RealtimeEvent<unknown>> | null>(null);
}

function render() {
  jest.useFakeTimers();
  const events = new Subject<RealtimeEvent<unknown>>();
  const fixture = TestBed.createComponent(Host);
  fixture.componentInstance.events.set(events);
  fixture.detectChanges();
  const element = query(fixture.nativeElement as HTMLElement, 'rt-toast-outlet');
  const outlet = fixture.debugElement.children[0].componentInstance as RtToastOutlet;
  const emit = (e: RealtimeEvent<unknown>) => {
    events.next(e);
    jest.runAllTicks(); // the burst's microtask
    fixture.detectChanges();
  };
  return { fixture, element, outlet, events, emit };
}

describe('RtToastOutlet', () => {
  afterEach(() => jest.useRealTimers());

  it('shows each new event as a toast inside a polite live region', () => {
    const { element, emit } = render();

    emit(event('1', { text: 'Deploy finished' }));
    emit(event('2', 'Plain string payload'));

    const region = query(element, '[role="status"]');
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(texts(region, '.rt-toast-text')).toEqual(['Deploy finished', 'Plain string payload']);
    expect(texts(region, '.rt-toast-title')).toEqual(['New', 'New']);
  });

  it('dismisses a toast by itself after durationMs', () => {
    const { element, fixture, emit } = render();
    emit(event('1', { text: 'first' }));
    jest.advanceTimersByTime(600);
    emit(event('2', { text: 'second' }));

    jest.advanceTimersByTime(500);
    fixture.detectChanges();
    expect(texts(element, '.rt-toast-text')).toEqual(['second']);

    jest.advanceTimersByTime(600);
    fixture.detectChanges();
    expect(texts(element, '.rt-toast-text')).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('turns a burst of events into toasts with one update of the toasts signal', () => {
    const { element, fixture, outlet, events } = render();
    const node = (outlet.toasts as unknown as { [SIGNAL]: { version: number } })[SIGNAL];
    const before = node.version;

    for (let i = 1; i <= 1000; i++) events.next(event(String(i), { text: `n${i}` }));
    jest.runAllTicks();
    fixture.detectChanges();

    expect(node.version - before).toBe(1);
    expect(texts(element, '.rt-toast-text')).toEqual(['n998', 'n999', 'n1000']);
    expect(jest.getTimerCount()).toBe(3);
  });

  it('keeps at most max toasts, dropping the oldest', () => {
    const { element, emit } = render();

    for (const id of ['1', '2', '3', '4']) emit(event(id, { text: `n${id}` }));

    expect(texts(element, '.rt-toast-text')).toEqual(['n2', 'n3', 'n4']);
  });

  it('removes a toast when its dismiss button is pressed', () => {
    const { element, fixture, emit } = render();
    emit(event('1', { text: 'one' }));
    emit(event('2', { text: 'two' }));

    query<HTMLButtonElement>(element, 'button[aria-label="Dismiss: one"]').click();
    fixture.detectChanges();

    expect(texts(element, '.rt-toast-text')).toEqual(['two']);
  });

  it('holds toasts while hovered and gives them a full period after', () => {
    const { element, fixture, emit } = render();
    emit(event('1', { text: 'read me' }));

    element.dispatchEvent(new MouseEvent('mouseenter'));
    jest.advanceTimersByTime(5000);
    fixture.detectChanges();
    expect(texts(element, '.rt-toast-text')).toEqual(['read me']);

    element.dispatchEvent(new MouseEvent('mouseleave'));
    jest.advanceTimersByTime(900);
    fixture.detectChanges();
    expect(texts(element, '.rt-toast-text')).toEqual(['read me']);
    jest.advanceTimersByTime(200);
    fixture.detectChanges();
    expect(texts(element, '.rt-toast-text')).toEqual([]);
  });

  it('shows toasts passed to show() without an event source', () => {
    const { element, fixture, outlet } = render();

    outlet.show('Saved', 'Chat');
    fixture.detectChanges();

    expect(texts(element, '.rt-toast-title')).toEqual(['Chat']);
    expect(texts(element, '.rt-toast-text')).toEqual(['Saved']);
  });

  it('stops listening when the source changes', () => {
    const { fixture, element, events, emit } = render();
    fixture.componentInstance.events.set(null);
    fixture.detectChanges();

    emit(event('1', { text: 'late' }));

    expect(events.observed).toBe(false);
    expect(texts(element, '.rt-toast-text')).toEqual([]);
  });

  it('renders event text as text, creating no element', () => {
    const { element, emit } = render();

    emit(event('1', { text: HOSTILE_TEXT }));

    expect(texts(element, '.rt-toast-text')).toEqual([HOSTILE_TEXT]);
    expect(element.querySelector('img')).toBeNull();
  });
});
