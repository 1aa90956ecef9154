import {
  ChangeDetectionStrategy, Component, ElementRef, Injector, afterNextRender, computed, inject, input, signal, viewChild,
} from '@angular/core';
import { DatePipe } from '@angular/common';
import type { Notification } from 'ngx-realtime-signals';
import { EventTextFormat, eventText } from '../shared/event-text';
import { nextElementId } from '../shared/next-id';
import type { NotificationSource } from '../shared/sources';

/**
 * A bell button with the unread count and a dropdown list of notifications
 * (mark read, mark all read, dismiss). Enter or Space on the bell opens the list
 * and moves focus into it; Escape closes it and returns focus to the bell.
 *
 * @example
 * <rt-notification-bell [source]="notificationService" />
 */
@Component({
  selector: 'rt-notification-bell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe],
  host: { class: 'rt-notification-bell', '(document:click)': 'onDocumentClick($event)' },
  template: `
    <button #trigger type="button" class="rt-bell" aria-haspopup="dialog" [attr.aria-expanded]="open()"
            [attr.aria-controls]="panelId" [attr.aria-label]="triggerLabel()"
            (click)="toggle()" (keydown)="onTriggerKeydown($event)">
      <svg class="rt-bell-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
      </svg>
      @if (unread() > 0) {
        <span class="rt-badge" aria-hidden="true">{{ unread() > 99 ? '99+' : unread() }}</span>
      }
    </button>
    @if (open()) {
      <div #panel class="rt-panel" role="dialog" [id]="panelId" aria-label="Notifications" tabindex="-1"
           (keydown.escape)="close(true)">
        <div class="rt-panel-head">
          <span class="rt-panel-title">Notifications</span>
          <button type="button" class="rt-action" [disabled]="unread() === 0" (click)="source().markAllRead()">
            Mark all read
          </button>
        </div>
        <ul class="rt-list" aria-label="Notification list">
          @for (item of items(); track item.id) {
            <li class="rt-item" [class.rt-unread]="!item.read" [attr.data-notification-id]="item.id">
              <span class="rt-item-text">{{ format()(item) }}</span>
              <time class="rt-item-time" [attr.datetime]="isoTime(item.ts)">{{ item.ts | date: 'HH:mm:ss' }}</time>
              <span class="rt-item-actions">
                @if (!item.read) {
                  <span class="rt-visually-hidden">unread</span>
                  <button type="button" class="rt-action" (click)="source().markRead(item.id)"
                          [attr.aria-label]="'Mark read: ' + format()(item)">Mark read</button>
                }
                <button type="button" class="rt-action" (click)="dismiss(item)"
                        [attr.aria-label]="'Dismiss: ' + format()(item)">Dismiss</button>
              </span>
            </li>
          } @empty {
            <li class="rt-empty">No notifications</li>
          }
        </ul>
      </div>
    }
  `,
  styles: `
    :host { position: relative; display: inline-block; color: var(--rt-color-text, inherit); font-size: var(--rt-font-size, 0.875rem); }
    button { font: inherit; cursor: pointer; }
    button:focus-visible, .rt-panel:focus-visible { outline: 2px solid var(--rt-color-focus, #3558d4); outline-offset: 2px; }
    .rt-bell {
      position: relative; display: inline-grid; place-items: center; width: 2.5rem; height: 2.5rem; padding: 0;
      border: 1px solid var(--rt-color-border, #8884); border-radius: 50%;
      background: var(--rt-color-surface, transparent); color: inherit;
    }
    .rt-bell-icon { width: 1.25rem; height: 1.25rem; fill: currentColor; }
    .rt-badge {
      position: absolute; top: -0.3rem; right: -0.3rem; min-width: 1.2rem; padding: 0 0.3rem; border-radius: 0.6rem;
      background: var(--rt-color-badge, #c62828); color: var(--rt-color-on-badge, #fff); font-size: 0.75rem; line-height: 1.2rem;
    }
    .rt-panel {
      position: absolute; right: 0; top: calc(100% + 0.5rem); z-index: var(--rt-z-index, 20); width: min(22rem, 90vw);
      max-height: 24rem; overflow: auto; background: var(--rt-color-bg, Canvas); color: var(--rt-color-text, CanvasText);
      border: 1px solid var(--rt-color-border, #8884); border-radius: var(--rt-radius, 0.5rem);
      box-shadow: var(--rt-shadow, 0 6px 24px #0003);
    }
    .rt-panel-head { display: flex; justify-content: space-between; align-items: center; padding: 0.5rem 0.75rem;
      border-bottom: 1px solid var(--rt-color-border, #8884); }
    .rt-panel-title { font-weight: 600; }
    .rt-list { list-style: none; margin: 0; padding: 0; }
    .rt-item { display: grid; grid-template-columns: 1fr auto; gap: 0.25rem 0.5rem; padding: 0.5rem 0.75rem;
      border-bottom: 1px solid var(--rt-color-border, #8882); }
    .rt-unread { background: var(--rt-color-unread, #3558d414); }
    .rt-unread .rt-item-text { font-weight: 600; }
    .rt-item-text { overflow-wrap: anywhere; }
    .rt-item-time { color: var(--rt-color-muted, #666); font-size: 0.75rem; }
    .rt-item-actions { grid-column: 1 / -1; display: flex; gap: 0.5rem; }
    .rt-action { border: 0; background: none; padding: 0; color: var(--rt-color-accent, #3558d4); text-decoration: underline; }
    .rt-action:disabled { color: var(--rt-color-muted, #888); cursor: default; text-decoration: none; }
    .rt-empty { padding: 0.75rem; color: var(--rt-color-muted, #666); }
    .rt-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  `,
})
export class RtNotificationBell {
  /** Where notifications come from; a `NotificationService` fits. */
  readonly source = input.required<NotificationSource>();
  /** How a notification becomes its line of text. */
  readonly format = input<EventTextFormat>(eventText);

  protected readonly panelId = nextElementId('rt-notifications');
  protected readonly open = signal(false);
  protected readonly items = computed(() => this.source().notifications());
  protected readonly unread = computed(() => this.source().unreadCount());
  protected readonly triggerLabel = computed(() => {
    const unread = this.unread();
    return unread === 0 ? 'Notifications' : `Notifications, ${unread} unread`;
  });

  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly injector = inject(Injector);
  private readonly trigger = viewChild.required<ElementRef<HTMLButtonElement>>('trigger');
  private readonly panel = viewChild<ElementRef<HTMLElement>>('panel');

  /** Whether the list is showing. */
  readonly isOpen = this.open.asReadonly();

  toggle(): void {
    if (this.open()) this.close(false);
    else this.show();
  }

  /** Opens the list and moves focus to its first control. */
  show(): void {
    this.open.set(true);
    afterNextRender(() => this.focusPanel(), { injector: this.injector });
  }

  /** Closes the list; with `returnFocus`, focus goes back to the bell. */
  close(returnFocus: boolean): void {
    if (!this.open()) return;
    this.open.set(false);
    if (returnFocus) this.trigger().nativeElement.focus();
  }

  protected onTriggerKeydown(event: KeyboardEvent): void {
    if (event.key === 'Enter' || event.key === ' ') {
      // Handled here so the synthesized click does not toggle the list shut again.
      event.preventDefault();
      this.show();
    } else if (event.key === 'Escape') {
      this.close(true);
    }
  }

  protected dismiss(item: Notification<unknown>): void {
    this.source().dismiss(item.id);
    // The focused button disappears with its item; keep focus inside the list.
    afterNextRender(() => this.panel()?.nativeElement.focus(), { injector: this.injector });
  }

  protected isoTime(ts: number): string {
    return new Date(ts).toISOString();
  }

  protected onDocumentClick(event: MouseEvent): void {
    if (this.open() && !this.host.nativeElement.contains(event.target as Node | null)) this.close(false);
  }

  private focusPanel(): void {
    const panel = this.panel()?.nativeElement;
    if (!panel) return;
    const first = panel.querySelector<HTMLElement>('.rt-item button') ?? panel.querySelector<HTMLElement>('.rt-panel-head button:not([disabled])');
    (first ?? panel).focus();
  }
}
