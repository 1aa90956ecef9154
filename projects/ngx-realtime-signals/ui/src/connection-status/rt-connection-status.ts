import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { ConnectionStatus, RealtimeTransportKind } from 'ngx-realtime-signals';

const TRANSPORT_NAMES: Record<RealtimeTransportKind, string> = { websocket: 'WebSocket', sse: 'SSE', 'long-poll': 'long polling' };
import { browserOnline } from '../shared/browser-online';
import { countdownSeconds } from '../shared/countdown';

/**
 * Shows one connection's state, the retry attempt, a countdown to the next retry
 * (or that it waits for the browser to come back online), the transport in use while
 * open (e.g. "via SSE" after a fallback from WebSocket), and a "Retry now" button
 * while a retry is pending or the connection failed.
 * The state word is announced politely to screen readers when it changes.
 *
 * @example
 * <rt-connection-status label="Notifications" [status]="notifications" />
 */
@Component({
  selector: 'rt-connection-status',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'rt-connection-status', '[attr.data-state]': 'state()' },
  template: `
    <span class="rt-dot" aria-hidden="true"></span>
    @if (label()) {
      <span class="rt-label">{{ label() }}</span>
    }
    <span class="rt-state" role="status" aria-live="polite">{{ state() }}</span>
    @if (transportText()) {
      <span class="rt-transport" [attr.data-transport]="transport()">{{ transportText() }}</span>
    }
    @if (attempt() > 0 && (state() === 'reconnecting' || state() === 'failed')) {
      <span class="rt-attempt">attempt {{ attempt() }}</span>
    }
    @if (waitingForNetwork()) {
      <span class="rt-offline">offline, waiting for the network</span>
    }
    @if (secondsLeft() !== null) {
      <span class="rt-countdown">retry in {{ secondsLeft() }} s</span>
    }
    @if (canRetry()) {
      <button type="button" class="rt-retry" (click)="status().retryNow()"
              [attr.aria-label]="label() ? 'Retry ' + label() + ' now' : 'Retry now'">Retry now</button>
    }
    @if (errorText()) {
      <span class="rt-error">{{ errorText() }}</span>
    }
  `,
  styles: `
    :host {
      display: inline-flex; align-items: center; gap: var(--rt-gap, 0.5rem);
      font-size: var(--rt-font-size, 0.875rem); color: var(--rt-color-text, inherit);
      padding: 0.25rem 0.5rem; border: 1px solid var(--rt-color-border, #8884);
      border-radius: var(--rt-radius, 0.5rem); background: var(--rt-color-surface, transparent);
    }
    .rt-dot { width: 0.6rem; height: 0.6rem; border-radius: 50%; background: var(--rt-color-muted, #888); }
    :host([data-state='open']) .rt-dot { background: var(--rt-color-ok, #1a7f37); }
    :host([data-state='connecting']) .rt-dot, :host([data-state='reconnecting']) .rt-dot { background: var(--rt-color-warn, #b26b00); }
    :host([data-state='failed']) .rt-dot { background: var(--rt-color-error, #c62828); }
    .rt-label { font-weight: 600; }
    .rt-attempt, .rt-countdown, .rt-error, .rt-offline, .rt-transport { color: var(--rt-color-muted, #666); }
    .rt-error { font-style: italic; }
    .rt-retry {
      font: inherit; cursor: pointer; padding: 0.1rem 0.5rem; border-radius: var(--rt-radius, 0.5rem);
      border: 1px solid var(--rt-color-accent, #3558d4); color: var(--rt-color-accent, #3558d4); background: transparent;
    }
    .rt-retry:focus-visible { outline: 2px solid var(--rt-color-focus, #3558d4); outline-offset: 2px; }
  `,
})
export class RtConnectionStatus {
  /** The connection to show: a NotificationService, ChatService or LongPollFeed. */
  readonly status = input.required<ConnectionStatus>();
  /** A short name for the connection, e.g. "Chat". */
  readonly label = input('');

  protected readonly state = computed(() => this.status().state());
  protected readonly attempt = computed(() => this.status().attempt());
  protected readonly transport = computed(() => (this.state() === 'open' ? (this.status().transport?.() ?? null) : null));
  protected readonly transportText = computed(() => {
    const transport = this.transport();
    return transport === null ? '' : `via ${TRANSPORT_NAMES[transport]}`;
  });
  protected readonly secondsLeft = countdownSeconds(() => this.status().nextRetryAt());
  private readonly online = browserOnline();
  protected readonly waitingForNetwork = computed(() => !this.online() && (this.state() === 'reconnecting' || this.state() === 'connecting'));
  protected readonly canRetry = computed(() => this.state() === 'reconnecting' || this.state() === 'failed');
  protected readonly errorText = computed(() => {
    const state = this.state();
    if (state === 'open' || state === 'idle') return '';
    return this.status().lastError()?.message ?? '';
  });
}
