import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { TabSharing } from 'ngx-realtime-signals';
import { RtConnectionStatus } from 'ngx-realtime-signals/ui';
import { DemoConnections } from './demo-connections';

const SHARING_TEXT = {
  leader: 'This tab holds the connections for every tab',
  follower: 'Connected through another tab',
  off: 'This tab has its own connections',
} as const;

/** The three connections side by side: SSE notifications, WebSocket chat, long-poll orders; and who holds them. */
@Component({
  selector: 'app-status-strip',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RtConnectionStatus],
  template: `
    <section class="strip" aria-label="Connections">
      <rt-connection-status data-connection="notifications" label="Notifications" [status]="connections.notifications" />
      <rt-connection-status data-connection="chat" label="Chat" [status]="connections.chat" />
      <rt-connection-status data-connection="orders" label="Orders (long poll)" [status]="connections.orders" />
      <span class="sharing" role="status" [attr.data-sharing]="tabs.sharing()" [title]="text()">
        <span class="badge">{{ badge() }}</span> {{ text() }}
      </span>
    </section>
  `,
  styles: `
    .strip { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
    .sharing { font-size: 0.8rem; color: var(--rt-color-muted); display: inline-flex; gap: 0.35rem; align-items: center; }
    .badge { font-weight: 700; padding: 0.1rem 0.45rem; border-radius: var(--rt-radius); background: var(--rt-color-surface); }
    [data-sharing='leader'] .badge { background: var(--rt-color-accent); color: var(--rt-color-on-accent); }
  `,
})
export class StatusStrip {
  protected readonly connections = inject(DemoConnections);
  protected readonly tabs = inject(TabSharing);
  protected readonly text = computed(() => SHARING_TEXT[this.tabs.sharing()]);
  protected readonly badge = computed(() => ({ leader: 'Leader', follower: 'Follower', off: 'Own' })[this.tabs.sharing()]);
}
