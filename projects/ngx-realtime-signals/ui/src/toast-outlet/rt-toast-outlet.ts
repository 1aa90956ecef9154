import { ChangeDetectionStrategy, Component, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import type { Observable } from 'rxjs';
import type { RealtimeEvent } from 'ngx-realtime-signals';
import { EventTextFormat, eventText } from '../shared/event-text';

/** One toast on screen. */
export interface Toast {
  readonly key: number;
  readonly text: string;
  readonly title: string;
}

/**
 * Shows each new event (or anything passed to `show()`) as a toast that
 * dismisses itself after `durationMs`. Toasts sit in a polite live region so
 * screen readers announce them; hovering or focusing a toast holds them all.
 *
 * @example
 * <rt-toast-outlet [events]="notificationService.events$" title="New notification" />
 */
@Component({
  selector: 'rt-toast-outlet',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    class: 'rt-toast-outlet',
    '(mouseenter)': 'hold()', '(mouseleave)': 'release()', '(focusin)': 'hold()', '(focusout)': 'release()',
  },
  template: `
    <div class="rt-toasts" role="status" aria-live="polite" aria-relevant="additions">
      @for (toast of toasts(); track toast.key) {
        <div class="rt-toast" [attr.data-toast-key]="toast.key">
          <div class="rt-toast-body">
            @if (toast.title) {
              <strong class="rt-toast-title">{{ toast.title }}</strong>
            }
            <span class="rt-toast-text">{{ toast.text }}</span>
          </div>
          <button type="button" class="rt-toast-close" (click)="dismiss(toast.key)"
                  [attr.aria-label]="'Dismiss: ' + toast.text">×</button>
        </div>
      }
    </div>
  `,
  styles: `
    :host { position: fixed; z-index: var(--rt-z-index, 30); right: var(--rt-toast-offset, 1rem);
      bottom: var(--rt-toast-offset, 1rem); pointer-events: none; }
    .rt-toasts { display: flex; flex-direction: column; gap: var(--rt-gap, 0.5rem); align-items: flex-end; }
    .rt-toast {
      pointer-events: auto; display: flex; align-items: flex-start; gap: 0.75rem; width: min(22rem, 90vw);
      padding: 0.75rem; border-radius: var(--rt-radius, 0.5rem); box-shadow: var(--rt-shadow, 0 6px 24px #0003);
      background: var(--rt-color-toast-bg, #1f2430); color: var(--rt-color-toast-text, #fff);
      font-size: var(--rt-font-size, 0.875rem);
    }
    .rt-toast-body { flex: 1; display: grid; gap: 0.2rem; overflow-wrap: anywhere; }
    .rt-toast-close { font: inherit; font-size: 1.1rem; line-height: 1; cursor: pointer; border: 0; background: none; color: inherit; padding: 0 0.2rem; }
    .rt-toast-close:focus-visible { outline: 2px solid var(--rt-color-focus, #8ab4ff); outline-offset: 2px; }
  `,
})
export class RtToastOutlet {
  /** Events to announce as they arrive, e.g. `NotificationService.events$`. */
  readonly events = input<Observable<RealtimeEvent<unknown>> | null>(null);
  /** How an event becomes the toast text. */
  readonly format = input<EventTextFormat>(eventText);
  /** A heading shown on toasts made from `events`. */
  readonly title = input('');
  /** How long a toast stays, in ms. */
  readonly durationMs = input(5000);
  /** At most this many toasts at once; the oldest goes first. */
  readonly max = input(4);

  /** The toasts now showing, oldest first. */
  readonly toasts = signal<readonly Toast[]>([]);

  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  private nextKey = 1;
  private held = false;
  /** Events that arrived in the current burst, at most `max` (older ones would be dropped anyway). */
  private arrived: RealtimeEvent<unknown>[] = [];

  constructor() {
    effect((onCleanup) => {
      const source = this.events();
      if (!source) return;
      const subscription = source.subscribe((event) => this.arrive(event));
      onCleanup(() => {
        subscription.unsubscribe();
        this.arrived = [];
      });
    });
    inject(DestroyRef).onDestroy(() => this.clearTimers());
  }

  /** Shows a toast; returns its key for `dismiss()`. */
  show(text: string, title = ''): number {
    const key = this.nextKey++;
    this.add([{ key, text, title }]);
    return key;
  }

  /**
   * A service hands over a burst of events one by one in the same task; they become toasts
   * together in a microtask, so a burst of thousands is one update of `toasts` (and one
   * render), not one per event.
   */
  private arrive(event: RealtimeEvent<unknown>): void {
    this.arrived.push(event);
    if (this.arrived.length > 1) {
      if (this.arrived.length > Math.max(1, untracked(this.max))) this.arrived.shift();
      return;
    }
    queueMicrotask(() => {
      const events = this.arrived;
      this.arrived = [];
      if (events.length === 0) return;
      untracked(() => {
        const format = this.format();
        const title = this.title();
        this.add(events.map((e) => ({ key: this.nextKey++, text: format(e), title })));
      });
    });
  }

  private add(fresh: readonly Toast[]): void {
    const list = this.toasts();
    const overflow = Math.max(0, list.length + fresh.length - this.max());
    const kept = [...list, ...fresh].slice(overflow);
    for (const old of list.slice(0, overflow)) this.stopTimer(old.key);
    this.toasts.set(kept);
    if (this.held) return;
    for (const toast of fresh) if (kept.includes(toast)) this.startTimer(toast.key);
  }

  dismiss(key: number): void {
    this.stopTimer(key);
    this.toasts.update((list) => list.filter((toast) => toast.key !== key));
  }

  protected hold(): void {
    this.held = true;
    this.clearTimers();
  }

  protected release(): void {
    if (!this.held) return;
    this.held = false;
    // Give the reader a full period again after they look away.
    for (const toast of this.toasts()) this.startTimer(toast.key);
  }

  private startTimer(key: number): void {
    this.stopTimer(key);
    this.timers.set(key, setTimeout(() => this.dismiss(key), this.durationMs()));
  }

  private stopTimer(key: number): void {
    const timer = this.timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(key);
  }

  private clearTimers(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
