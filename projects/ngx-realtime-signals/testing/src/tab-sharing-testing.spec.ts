import { Component, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { NotificationService, TabSharing } from 'ngx-realtime-signals';
import { provideRealtimeTesting, provideTabSharingTesting, RealtimeTestingController, TabSharingTesting } from 'ngx-realtime-signals/testing';

@Component({ selector: 'app-beeper', template: '' })
class Beeper {
  beeps = 0;
  constructor() {
    const tabs = inject(TabSharing);
    const notes = inject(NotificationService);
    notes.events$.subscribe(() => tabs.runInOneTab(() => this.beeps++));
    notes.connect('alerts');
  }
}

describe('provideTabSharingTesting', () => {
  function setUp(role?: 'leader' | 'follower' | 'off') {
    TestBed.configureTestingModule({ providers: [provideRealtimeTesting(), provideTabSharingTesting(role)] });
    return { realtime: TestBed.inject(RealtimeTestingController), tabs: TestBed.inject(TabSharing) };
  }

  it('simulates the leader by default', () => {
    const { tabs } = setUp();
    expect(tabs.sharing()).toBe('leader');
  });

  it('runs a one-tab side effect in the leader and not in a follower, while both get every event', async () => {
    const { realtime } = setUp('follower');
    const fixture = TestBed.createComponent(Beeper);
    await fixture.whenStable();
    const stream = realtime.expectOne({ transport: 'sse', topic: 'alerts' });
    stream.open();
    stream.event({ data: 'one' });
    await fixture.whenStable();
    expect(fixture.componentInstance.beeps).toBe(0);
    expect(TestBed.inject(NotificationService).notifications()).toHaveLength(1);

    TestBed.inject(TabSharingTesting).simulate('leader');
    stream.event({ data: 'two' });
    await fixture.whenStable();
    expect(fixture.componentInstance.beeps).toBe(1);
  });

  it('refuses a role that does not exist', () => {
    expect(() => provideTabSharingTesting('boss' as 'leader')).toThrow(/role must be/);
  });
});
