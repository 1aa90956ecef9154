import { Component, signal } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { FakeNotifications, fakeNotifications, notification } from '../testing-support/fake-sources';
import { HOSTILE_TEXT, press, query, texts } from '../testing-support/dom';
import type { NotificationSource } from '../shared/sources';
import { EventTextFormat, eventText } from '../shared/event-text';
import { RtNotificationBell } from './rt-notification-bell';

@Component({
  imports: [RtNotificationBell],
  template: `<p id="outside">outside</p><rt-notification-bell [source]="source()" [format]="format()" />`,
})
class Host {
  readonly source = signal<NotificationSource>(fakeNotifications());
  readonly format = signal<EventTextFormat>(eventText);
}

async function render(source: FakeNotifications) {
  const fixture: ComponentFixture<Host> = TestBed.createComponent(Host);
  fixture.componentInstance.source.set(source);
  await fixture.whenStable();
  const root = fixture.nativeElement as HTMLElement;
  document.body.appendChild(root);
  const bell = () => query<HTMLButtonElement>(root, '.rt-bell');
  const panel = () => root.querySelector<HTMLElement>('[role="dialog"]');
  return { fixture, root, bell, panel, settle: () => fixture.whenStable() };
}

describe('RtNotificationBell', () => {
  afterEach(() => (document.body.innerHTML = ''));

  it('shows the unread count on the badge and in the accessible name', async () => {
    const { bell } = await render(fakeNotifications([notification('1', 'one'), notification('2', 'two'), notification('3', 'three', true)]));

    expect(query(bell(), '.rt-badge').textContent?.trim()).toBe('2');
    expect(bell().getAttribute('aria-label')).toBe('Notifications, 2 unread');
    expect(bell().getAttribute('aria-expanded')).toBe('false');
    expect(bell().getAttribute('aria-haspopup')).toBe('dialog');
  });

  it('shows no badge when everything is read', async () => {
    const { bell } = await render(fakeNotifications([notification('1', 'one', true)]));

    expect(bell().querySelector('.rt-badge')).toBeNull();
    expect(bell().getAttribute('aria-label')).toBe('Notifications');
  });

  it('opens on Enter and moves focus to the first control in the list', async () => {
    const { bell, panel, settle } = await render(fakeNotifications([notification('1', 'Build finished')]));

    const keydown = press(bell(), 'Enter');
    await settle();

    expect(keydown.defaultPrevented).toBe(true);
    expect(panel()).not.toBeNull();
    expect(bell().getAttribute('aria-expanded')).toBe('true');
    expect(bell().getAttribute('aria-controls')).toBe(panel()!.id);
    expect(document.activeElement?.textContent?.trim()).toBe('Mark read');
    expect(panel()!.contains(document.activeElement)).toBe(true);
  });

  it('opens on Space, and Escape closes and returns focus to the bell', async () => {
    const { bell, panel, settle } = await render(fakeNotifications([notification('1', 'one')]));

    press(bell(), ' ');
    await settle();
    expect(panel()).not.toBeNull();

    press(document.activeElement!, 'Escape');
    await settle();

    expect(panel()).toBeNull();
    expect(document.activeElement).toBe(bell());
    expect(bell().getAttribute('aria-expanded')).toBe('false');
  });

  it('toggles on click and closes on a click outside', async () => {
    const { root, bell, panel, settle } = await render(fakeNotifications());

    bell().click();
    await settle();
    expect(panel()).not.toBeNull();
    expect(texts(panel()!, '.rt-empty')).toEqual(['No notifications']);

    query(root, '#outside').click();
    await settle();
    expect(panel()).toBeNull();

    bell().click();
    await settle();
    bell().click();
    await settle();
    expect(panel()).toBeNull();
  });

  it('lists notifications newest first as given, marking unread ones', async () => {
    const { bell, panel, settle } = await render(fakeNotifications([notification('2', 'second'), notification('1', 'first', true)]));

    bell().click();
    await settle();

    expect(texts(panel()!, '.rt-item-text')).toEqual(['second', 'first']);
    expect(texts(panel()!, '.rt-unread .rt-item-text')).toEqual(['second']);
  });

  it('marks one read, marks all read and dismisses through the source', async () => {
    const source = fakeNotifications([notification('3', 'three'), notification('2', 'two'), notification('1', 'one')]);
    const { bell, panel, settle } = await render(source);
    bell().click();
    await settle();

    query<HTMLButtonElement>(panel()!, '[data-notification-id="2"] button[aria-label="Mark read: two"]').click();
    await settle();
    expect(source.markRead).toHaveBeenCalledWith('2');
    expect(texts(panel()!, '.rt-unread .rt-item-text')).toEqual(['three', 'one']);

    query<HTMLButtonElement>(panel()!, '[data-notification-id="3"] button[aria-label="Dismiss: three"]').click();
    await settle();
    expect(source.dismiss).toHaveBeenCalledWith('3');
    expect(texts(panel()!, '.rt-item-text')).toEqual(['two', 'one']);
    expect(panel()!.contains(document.activeElement)).toBe(true);

    const markAll = Array.from(panel()!.querySelectorAll('button')).find((b) => b.textContent?.trim() === 'Mark all read')!;
    markAll.click();
    await settle();
    expect(source.markAllRead).toHaveBeenCalledTimes(1);
    expect(bell().querySelector('.rt-badge')).toBeNull();
    expect(markAll.disabled).toBe(true);
  });

  it('renders notification text as text, creating no element', async () => {
    const { bell, panel, settle } = await render(fakeNotifications([notification('1', HOSTILE_TEXT)]));

    bell().click();
    await settle();

    expect(texts(panel()!, '.rt-item-text')).toEqual([HOSTILE_TEXT]);
    expect(panel()!.querySelector('img')).toBeNull();
  });

  it('uses a custom format for the item text', async () => {
    const { fixture, bell, panel, settle } = await render(fakeNotifications([notification('7', 'seven')]));
    fixture.componentInstance.format.set((e) => `#${e.id}`);

    bell().click();
    await settle();

    expect(texts(panel()!, '.rt-item-text')).toEqual(['#7']);
  });
});
