import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { ConnectionStatus } from 'ngx-realtime-signals';
import { FakeStatus, fakeStatus } from '../testing-support/fake-sources';
import { query } from '../testing-support/dom';
import { RtConnectionStatus } from './rt-connection-status';

@Component({
  imports: [RtConnectionStatus],
  template: `<rt-connection-status label="Chat" [status]="status()" />`,
})
class Host {
  readonly status = signal<ConnectionStatus>(fakeStatus());
}

function render(status: FakeStatus) {
  const fixture = TestBed.createComponent(Host);
  fixture.componentInstance.status.set(status);
  fixture.detectChanges();
  const element = query(fixture.nativeElement as HTMLElement, 'rt-connection-status');
  return { fixture, element, text: () => (element.textContent ?? '').replace(/\s+/g, ' ').trim() };
}

describe('RtConnectionStatus', () => {
  afterEach(() => jest.useRealTimers());

  it('shows the state word in a polite status region and mirrors it in data-state', () => {
    const status = fakeStatus('open');
    const { element, fixture } = render(status);

    const region = query(element, '[role="status"]');
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.textContent?.trim()).toBe('open');
    expect(element.getAttribute('data-state')).toBe('open');

    status.state.set('connecting');
    fixture.detectChanges();
    expect(region.textContent?.trim()).toBe('connecting');
    expect(element.getAttribute('data-state')).toBe('connecting');
  });

  it('shows the label and no retry controls while open', () => {
    const { element, text } = render(fakeStatus('open'));

    expect(text()).toContain('Chat');
    expect(element.querySelector('button')).toBeNull();
    expect(text()).not.toContain('attempt');
  });

  it('shows the attempt and counts down to the next retry while reconnecting', () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    const status = fakeStatus('reconnecting');
    status.attempt.set(3);
    status.nextRetryAt.set(Date.now() + 5000);
    status.lastError.set({ code: 'network', message: 'Network error', retryable: true });
    const { fixture, text } = render(status);

    expect(text()).toContain('attempt 3');
    expect(text()).toContain('retry in 5 s');
    expect(text()).toContain('Network error');

    jest.advanceTimersByTime(2000);
    fixture.detectChanges();
    expect(text()).toContain('retry in 3 s');

    jest.advanceTimersByTime(10_000);
    fixture.detectChanges();
    expect(text()).toContain('retry in 0 s');
  });

  it('stops ticking once no retry is scheduled', () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    const status = fakeStatus('reconnecting');
    status.nextRetryAt.set(Date.now() + 5000);
    const { fixture, text } = render(status);
    expect(jest.getTimerCount()).toBeGreaterThan(0);

    status.state.set('open');
    status.nextRetryAt.set(null);
    fixture.detectChanges();

    expect(text()).not.toContain('retry in');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('says it waits for the network while the browser is offline and not connected', () => {
    const onLine = jest.spyOn(window.navigator, 'onLine', 'get').mockReturnValue(true);
    const status = fakeStatus('open');
    const { fixture, text } = render(status);

    onLine.mockReturnValue(false);
    window.dispatchEvent(new Event('offline'));
    fixture.detectChanges();
    expect(text()).not.toContain('waiting for the network'); // still open: the stream may well work

    status.state.set('reconnecting');
    fixture.detectChanges();
    expect(text()).toContain('offline, waiting for the network');

    onLine.mockReturnValue(true);
    window.dispatchEvent(new Event('online'));
    fixture.detectChanges();
    expect(text()).not.toContain('waiting for the network');
    onLine.mockRestore();
  });

  it('calls retryNow when "Retry now" is activated', () => {
    const status = fakeStatus('failed');
    status.lastError.set({ code: 'http_error', message: 'Unauthorized', status: 401, retryable: false });
    const { element } = render(status);

    const button = query<HTMLButtonElement>(element, 'button');
    expect(button.getAttribute('aria-label')).toBe('Retry Chat now');
    button.click();

    expect(status.retryNow).toHaveBeenCalledTimes(1);
  });

  it('renders an error message as text', () => {
    const status = fakeStatus('failed');
    status.lastError.set({ code: 'protocol', message: '<img src=x onerror=alert(1)>', retryable: false });
    const { element, text } = render(status);

    expect(text()).toContain('<img src=x onerror=alert(1)>');
    expect(element.querySelector('img')).toBeNull();
  });
});
