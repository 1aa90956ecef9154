import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RtConnectionStatus } from 'ngx-realtime-signals/ui';
import { DemoConnections } from './demo-connections';

/** The three connections side by side: SSE notifications, WebSocket chat, long-poll orders. */
@Component({
  selector: 'app-status-strip',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RtConnectionStatus],
  template: `
    <section class="strip" aria-label="Connections">
      <rt-connection-status data-connection="notifications" label="Notifications" [status]="connections.notifications" />
      <rt-connection-status data-connection="chat" label="Chat" [status]="connections.chat" />
      <rt-connection-status data-connection="orders" label="Orders (long poll)" [status]="connections.orders" />
    </section>
  `,
  styles: `.strip { display: flex; flex-wrap: wrap; gap: 0.5rem; }`,
})
export class StatusStrip {
  protected readonly connections = inject(DemoConnections);
}
