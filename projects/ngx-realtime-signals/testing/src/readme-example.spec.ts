// The README's "Testing your components" example, kept in step with it, so the documented code is known to work.
import { Component, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { NotificationService, withReconnect } from 'ngx-realtime-signals';
import { provideRealtimeTesting, RealtimeTestingController } from 'ngx-realtime-signals/testing';

@Component({
  selector: 'app-alerts',
  template: `
    <p>{{ alerts.state() }}: {{ alerts.unreadCount() }} unread</p>
    @for (alert of alerts.notifications(); track alert.id) { <li>{{ alert.data.text }}</li> }
  `,
})
export class Alerts {
  protected readonly alerts = inject(NotificationService<{ text: string }>);
  constructor() {
    this.alerts.connect('alerts');
  }
}

describe('Alerts', () => {
  let realtime: RealtimeTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      imports: [Alerts],
      providers: [provideRealtimeTesting(withReconnect({ initialDelayMs: 0 }))],
    });
    realtime = TestBed.inject(RealtimeTestingController);
  });

  afterEach(() => realtime.verify()); // no connection went unnoticed

  it('shows alerts the server pushes, once each, across a reconnect', async () => {
    const fixture = TestBed.createComponent(Alerts);
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'alerts' });

    const first = stream.event({ data: { text: 'Disk almost full' } }); // id, topic, type, ts filled in
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('open: 1 unread');

    const again = await stream.reconnect(); // drops the stream; resolves with the client's next one
    expect(again.cursor).toBe(first.id); // it resumes with Last-Event-ID
    again.event({ id: first.id, data: { text: 'Disk almost full' } }); // a duplicate ...
    again.event({ data: { text: 'Backup done' } });
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent).toContain('open: 2 unread'); // ... shown once
  });

  it('reports a refused stream without retrying', async () => {
    const fixture = TestBed.createComponent(Alerts);
    (await realtime.expectNext({ transport: 'sse', topic: 'alerts' })).fail(401);
    await fixture.whenStable();

    expect(fixture.nativeElement.textContent).toContain('failed');
    realtime.expectNone({ transport: 'sse' });
  });
});
