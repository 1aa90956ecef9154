import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { RtLiveFeed } from 'ngx-realtime-signals/ui';
import { DemoConnections } from '../shell/demo-connections';
import { notificationLine } from './notification-line';
import { PublishForm } from './publish-form';

/** Notifications over SSE: the full list, the unread count, and a form to publish one by hand. */
@Component({
  selector: 'app-notifications-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RtLiveFeed, PublishForm],
  template: `
    <h1>Notifications</h1>
    <p class="page-intro">
      <code>NotificationService</code> streams the <code>notifications</code> topic over Server-Sent Events. New ones pop up
      as toasts and in the bell; the list below keeps every one (each exactly once, across reconnects).
    </p>
    @if (service.gap(); as gap) {
      <p class="gap" role="alert">
        The server could not resume from our cursor (it restarted, or its history moved on): notifications published in
        between may be missing.
      </p>
    }
    <div class="layout">
      <section aria-labelledby="list-title">
        <div class="list-head">
          <h2 id="list-title">All notifications <span class="count">{{ service.notifications().length }}</span></h2>
          <span class="unread">{{ service.unreadCount() }} unread</span>
          <button class="button secondary" type="button" (click)="service.markAllRead()" [disabled]="service.unreadCount() === 0">Mark all read</button>
          <button class="button secondary" type="button" (click)="service.clear()" [disabled]="service.notifications().length === 0">Clear</button>
        </div>
        <rt-live-feed class="notification-list" label="All notifications" [source]="oldestFirst" [format]="line" [limit]="1000"
                      emptyText="No notifications yet. Publish one, or wait for the demo scenario." />
        <p class="cursor">cursor: <code>{{ service.cursor() ?? '—' }}</code></p>
      </section>
      <app-publish-form />
    </div>
  `,
  styles: `
    .layout { display: grid; grid-template-columns: 1fr 20rem; gap: 1.5rem; align-items: start; }
    @media (max-width: 50rem) { .layout { grid-template-columns: 1fr; } }
    .list-head { display: flex; align-items: center; gap: 0.75rem; margin-bottom: 0.5rem; flex-wrap: wrap; }
    .list-head h2 { font-size: 1rem; margin: 0; flex: 1; }
    .count, .unread, .cursor { color: var(--rt-color-muted); font-weight: 400; }
    .cursor { font-size: 0.8rem; }
    .gap { padding: 0.5rem 0.75rem; border-radius: var(--rt-radius); background: #fff4e5; color: #7a4500; }
  `,
})
export class NotificationsPage {
  protected readonly service = inject(DemoConnections).notifications;
  protected readonly line = notificationLine;
  /** The service keeps newest first; the feed component takes oldest first. */
  protected readonly oldestFirst = computed(() => [...this.service.notifications()].reverse());
}
