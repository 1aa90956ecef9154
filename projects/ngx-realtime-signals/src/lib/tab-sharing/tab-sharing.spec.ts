import { PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { NotificationService } from '../notifications/notification.service';
import { provideRealtime } from '../provide/provide-realtime';
import { RealtimeTransports } from '../core/transports/realtime-transports';
import { TabSharing, ɵTAB_ENVIRONMENT } from './tab-sharing';
import { TabSharingTransports } from './tab-sharing-transports';
import { withTabSharing } from './with-tab-sharing';
import { FakeBrowser, settle } from './spec-support/fake-tabs';

describe('withTabSharing', () => {
  it('is off without the feature', () => {
    TestBed.configureTestingModule({ providers: [provideRealtime()] });
    expect(TestBed.inject(TabSharing).sharing()).toBe('off');
    expect(TestBed.inject(RealtimeTransports, null)).toBeNull();
  });

  it('falls back to one connection per tab where Web Locks or BroadcastChannel are missing', () => {
    TestBed.configureTestingModule({ providers: [provideRealtime(withTabSharing()), { provide: ɵTAB_ENVIRONMENT, useValue: null }] });
    const sharing = TestBed.inject(TabSharing);
    expect(TestBed.inject(RealtimeTransports)).toBeInstanceOf(TabSharingTransports);
    expect(sharing.sharing()).toBe('off');
    expect(sharing.runInOneTab(() => undefined)).toBe(true);
  });

  it('does nothing on the server platform', () => {
    const browser = new FakeBrowser();
    TestBed.configureTestingModule({
      providers: [
        provideRealtime(withTabSharing()),
        { provide: ɵTAB_ENVIRONMENT, useValue: browser.environment('a') },
        { provide: PLATFORM_ID, useValue: 'server' },
      ],
    });
    TestBed.inject(NotificationService).connect('news');
    expect(TestBed.inject(TabSharing).sharing()).toBe('off');
    expect(browser.holder('ngx-realtime-signals:leader')).toBeNull();
  });

  it('elects at start-up and runs side effects in the leader only', async () => {
    const browser = new FakeBrowser();
    TestBed.configureTestingModule({
      providers: [provideRealtime(withTabSharing({ name: 'app' })), { provide: ɵTAB_ENVIRONMENT, useValue: browser.environment('a') }],
    });
    const sharing = TestBed.inject(TabSharing);
    await settle();
    expect(sharing.sharing()).toBe('leader');
    expect(browser.holder('app:leader')).toBe('a');
    let runs = 0;
    expect(sharing.runInOneTab(() => runs++)).toBe(true);
    sharing.ɵsimulate('follower');
    expect(sharing.runInOneTab(() => runs++)).toBe(false);
    expect(runs).toBe(1);
    TestBed.resetTestingModule();
    await settle();
    expect(browser.holder('app:leader')).toBeNull();
  });

  it('refuses a name the lock and channel cannot use', () => {
    expect(() => withTabSharing({ name: 'has space' })).toThrow(/name must be/);
  });
});
