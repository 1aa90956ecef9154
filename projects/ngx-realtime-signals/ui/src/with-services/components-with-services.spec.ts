import { Component, inject } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { ChatService, LongPollService, NotificationService, withReconnect } from 'ngx-realtime-signals';
import { RealtimeTestingController, provideRealtimeTesting } from 'ngx-realtime-signals/testing';
import { RtChatRoom } from '../chat-room/rt-chat-room';
import { RtConnectionStatus } from '../connection-status/rt-connection-status';
import { RtLiveFeed } from '../live-feed/rt-live-feed';
import { RtNotificationBell } from '../notification-bell/rt-notification-bell';
import { HOSTILE_TEXT, press, query, texts } from '../testing-support/dom';

/* The components on the real services, with the testing entry point playing the server. */

@Component({
  imports: [RtConnectionStatus, RtNotificationBell],
  template: `<rt-connection-status label="Alerts" [status]="alerts" /><rt-notification-bell [source]="alerts" />`,
})
class AlertsHost {
  readonly alerts = inject(NotificationService);
}

@Component({
  imports: [RtChatRoom, RtConnectionStatus],
  template: `<rt-connection-status label="Chat" [status]="chat" /><rt-chat-room [room]="room" />`,
})
class ChatHost {
  readonly chat = inject(ChatService);
  readonly room = this.chat.join('lobby');
}

@Component({
  imports: [RtLiveFeed],
  template: `<rt-live-feed label="Jobs" [source]="feed" />`,
})
class FeedHost {
  readonly feed = inject(LongPollService).watch('jobs');
}

describe('ui components on the real services', () => {
  let realtime: RealtimeTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      // A long delay keeps the retry countdown on screen until the test acts.
      providers: [provideRealtimeTesting(withReconnect({ initialDelayMs: 60_000, maxDelayMs: 60_000 }))],
    });
    realtime = TestBed.inject(RealtimeTestingController);
  });

  function textOf<T>(fixture: ComponentFixture<T>, selector: string): string {
    return (query(fixture.nativeElement as HTMLElement, selector).textContent ?? '').replace(/\s+/g, ' ').trim();
  }

  afterEach(() => jest.restoreAllMocks());

  it('follows a notification stream through open, an event, a drop and "Retry now"', async () => {
    // the first retry after a cut waits below a quarter of initialDelayMs (60 s): exactly 7.5 s at 0.5
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const fixture = TestBed.createComponent(AlertsHost);
    fixture.componentInstance.alerts.connect('alerts');
    const stream = await realtime.expectNext({ transport: 'sse', topic: 'alerts' });
    stream.open();
    await fixture.whenStable();
    expect(textOf(fixture, 'rt-connection-status [role="status"]')).toBe('open');

    stream.event({ data: { text: 'Disk almost full' } });
    await fixture.whenStable();
    expect(textOf(fixture, '.rt-badge')).toBe('1');

    stream.drop();
    await fixture.whenStable();
    expect(textOf(fixture, 'rt-connection-status [role="status"]')).toBe('reconnecting');
    expect(textOf(fixture, '.rt-attempt')).toBe('attempt 1');
    expect(textOf(fixture, '.rt-countdown')).toMatch(/^retry in (7|8) s$/);

    query<HTMLButtonElement>(fixture.nativeElement as HTMLElement, 'rt-connection-status button').click();
    const again = await realtime.expectNext({ transport: 'sse', topic: 'alerts' });
    again.open();
    await fixture.whenStable();
    expect(textOf(fixture, 'rt-connection-status [role="status"]')).toBe('open');
    fixture.componentInstance.alerts.disconnect();
  });

  it('marks a chat message pending, then sent on ack, failed on refusal, and resends it on Retry', async () => {
    const fixture = TestBed.createComponent(ChatHost);
    fixture.componentInstance.chat.connect({ name: 'ada' });
    const socket = await realtime.expectNext({ transport: 'chat' });
    socket.welcome({ user: 'ada' });
    socket.expectSent({ type: 'join', room: 'lobby' });
    socket.joined('lobby', { members: ['ada', 'bob'] });
    await fixture.whenStable();
    const root = fixture.nativeElement as HTMLElement;
    expect(texts(root, '.rt-member-count')).toEqual(['2']);

    const composer = query<HTMLTextAreaElement>(root, 'textarea');
    composer.value = 'first';
    composer.dispatchEvent(new Event('input'));
    press(composer, 'Enter');
    await fixture.whenStable();
    expect(query(root, '.rt-message').getAttribute('data-status')).toBe('pending');

    socket.ack();
    await fixture.whenStable();
    expect(query(root, '.rt-message').getAttribute('data-status')).toBe('sent');

    composer.value = 'second';
    composer.dispatchEvent(new Event('input'));
    press(composer, 'Enter');
    await fixture.whenStable();
    socket.failSend();
    await fixture.whenStable();
    expect(texts(root, '.rt-failed')).toEqual(['not sent']);

    query<HTMLButtonElement>(root, 'button.rt-retry').click();
    await fixture.whenStable();
    expect(socket.sentFrames({ type: 'send' }).filter((frame) => frame['text'] === 'second')).toHaveLength(2);

    socket.message('lobby', { text: HOSTILE_TEXT, from: 'bob' });
    await fixture.whenStable();
    expect(texts(root, '.rt-text')).toContain(HOSTILE_TEXT);
    expect(root.querySelector('rt-chat-room img')).toBeNull();
    fixture.componentInstance.chat.disconnect();
  });

  it('lists long-poll events newest first as polls are answered', async () => {
    const fixture = TestBed.createComponent(FeedHost);
    const first = await realtime.expectNext({ transport: 'poll', topic: 'jobs' });
    first.flush({ events: [{ data: { text: 'queued' } }, { data: { text: 'running' } }] });
    const second = await realtime.expectNext({ transport: 'poll', topic: 'jobs' });
    second.flush({ events: [{ data: { text: 'done' } }] });
    await realtime.expectNext({ transport: 'poll', topic: 'jobs' });
    await fixture.whenStable();

    expect(texts(fixture.nativeElement as HTMLElement, '.rt-feed-text')).toEqual(['done', 'running', 'queued']);
    fixture.componentInstance.feed.stop();
  });
});
