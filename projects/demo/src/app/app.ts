import { ChangeDetectionStrategy, Component, inject, viewChild } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { RtNotificationBell, RtToastOutlet } from 'ngx-realtime-signals/ui';
import { DemoConnections } from './shell/demo-connections';
import { StatusStrip } from './shell/status-strip';
import { toastChatMessagesElsewhere } from './shell/chat-toasts';
import { notificationLine } from './notifications/notification-line';

@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, RouterLink, RouterLinkActive, RtNotificationBell, RtToastOutlet, StatusStrip],
  template: `
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <div class="brand">
        <span class="logo" aria-hidden="true">◉</span>
        <span>ngx-realtime-signals <small>demo</small></span>
      </div>
      <nav aria-label="Demo pages">
        <a routerLink="/notifications" routerLinkActive="active" ariaCurrentWhenActive="page">Notifications</a>
        <a routerLink="/chat" routerLinkActive="active" ariaCurrentWhenActive="page">Chat</a>
        <a routerLink="/orders" routerLinkActive="active" ariaCurrentWhenActive="page">Order tracking</a>
      </nav>
      <rt-notification-bell [source]="connections.notifications" />
    </header>
    <app-status-strip class="status" />
    <main id="main" tabindex="-1">
      <router-outlet />
    </main>
    <rt-toast-outlet [events]="connections.notifications.events$" [format]="notificationLine" title="New notification" />
  `,
  styles: `
    :host { display: block; max-width: 72rem; margin: 0 auto; padding: 0 1rem 2rem; }
    .skip { position: absolute; left: -999px; }
    .skip:focus { left: 1rem; top: 0.5rem; background: var(--rt-color-bg); padding: 0.25rem 0.5rem; }
    .top { display: flex; align-items: center; gap: 1.5rem; padding: 1rem 0; flex-wrap: wrap; }
    .brand { display: flex; align-items: center; gap: 0.5rem; font-weight: 700; font-size: 1.1rem; }
    .brand small { font-weight: 400; color: var(--rt-color-muted); }
    .logo { color: var(--rt-color-accent); }
    nav { display: flex; gap: 0.25rem; flex: 1; flex-wrap: wrap; }
    nav a { padding: 0.35rem 0.75rem; border-radius: var(--rt-radius); color: inherit; text-decoration: none; }
    nav a:hover { background: var(--rt-color-surface); }
    nav a.active { background: var(--rt-color-accent); color: var(--rt-color-on-accent); }
    .status { display: block; margin-bottom: 1.25rem; }
    main:focus { outline: none; }
  `,
})
export class App {
  protected readonly connections = inject(DemoConnections);
  protected readonly notificationLine = notificationLine;

  private readonly toasts = viewChild.required(RtToastOutlet);

  constructor() {
    toastChatMessagesElsewhere(this.toasts);
  }
}
