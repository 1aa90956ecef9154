/** A file ng-add writes into the application. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/**
 * The `--demo` component: the live notification feed of one topic with its connection
 * badge and bell, and a spec that drives it through `ngx-realtime-signals/testing`. The spec uses
 * only `describe`/`it`/`expect` matchers that Vitest, Jasmine and Jest share, so it runs
 * under whichever runner the application uses.
 */
export function demoComponentFiles(directory: string, prefix: string): GeneratedFile[] {
  return [
    { path: `${directory}/realtime-demo.ts`, content: componentSource(prefix) },
    { path: `${directory}/realtime-demo.spec.ts`, content: specSource() },
  ];
}

function componentSource(prefix: string): string {
  return `import { ChangeDetectionStrategy, Component, DestroyRef, inject } from '@angular/core';
import { JsonPipe } from '@angular/common';
import { NotificationService } from 'ngx-realtime-signals';
import { RtConnectionStatus, RtNotificationBell } from 'ngx-realtime-signals/ui';

/**
 * Live notifications of the "notifications" topic.
 * Publish one with: curl -X POST -H 'Content-Type: application/json' \\
 *   -d '{"type":"greeting","data":{"text":"Hello"}}' <server>/api/topics/notifications/events
 */
@Component({
  selector: '${prefix}-realtime-demo',
  imports: [JsonPipe, RtConnectionStatus, RtNotificationBell],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: \`
    <rt-connection-status label="Notifications" [status]="notifications" />
    <rt-notification-bell [source]="notifications" />
    <p class="unread">{{ notifications.unreadCount() }} unread</p>
    <ul>
      @for (item of notifications.notifications(); track item.id) {
        <li [class.read]="item.read" (click)="notifications.markRead(item.id)">
          <strong>{{ item.type }}</strong> {{ item.data | json }}
        </li>
      } @empty {
        <li>No notifications yet.</li>
      }
    </ul>
    <button type="button" (click)="notifications.markAllRead()">Mark all read</button>
  \`,
})
export class RealtimeDemo {
  protected readonly notifications = inject(NotificationService);

  constructor() {
    this.notifications.connect('notifications');
    inject(DestroyRef).onDestroy(() => this.notifications.disconnect());
  }
}
`;
}

function specSource(): string {
  return `import { TestBed } from '@angular/core/testing';
import { provideRealtimeTesting, RealtimeTestingController } from 'ngx-realtime-signals/testing';
import { RealtimeDemo } from './realtime-demo';

describe('RealtimeDemo', () => {
  it('shows a notification the server pushes and counts it as unread', async () => {
    TestBed.configureTestingModule({ imports: [RealtimeDemo], providers: [provideRealtimeTesting()] });
    const fixture = TestBed.createComponent(RealtimeDemo);
    const realtime = TestBed.inject(RealtimeTestingController);
    await fixture.whenStable();

    const stream = realtime.expectOne({ transport: 'sse', topic: 'notifications' });
    stream.open();
    stream.event({ type: 'greeting', data: { text: 'Hello' } });
    await fixture.whenStable();

    const text = (fixture.nativeElement as HTMLElement).textContent ?? '';
    expect(text).toContain('Hello');
    expect(text).toContain('1 unread');
    realtime.verify();
  });
});
`;
}
