import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { ChatRoom } from 'ngx-realtime-signals';
import { FakeRoom, chatMessage, fakeRoom } from '../testing-support/fake-sources';
import { HOSTILE_TEXT, press, query, texts } from '../testing-support/dom';
import { RtChatRoom } from './rt-chat-room';

@Component({
  imports: [RtChatRoom],
  template: `<rt-chat-room [room]="room()" />`,
})
class Host {
  readonly room = signal<ChatRoom>(fakeRoom());
}

async function render(room: FakeRoom) {
  const fixture = TestBed.createComponent(Host);
  fixture.componentInstance.room.set(room);
  await fixture.whenStable();
  const element = query(fixture.nativeElement as HTMLElement, 'rt-chat-room');
  const composer = () => query<HTMLTextAreaElement>(element, 'textarea');
  const type = async (text: string) => {
    composer().value = text;
    composer().dispatchEvent(new Event('input', { bubbles: true }));
    await fixture.whenStable();
  };
  return { fixture, element, composer, type, settle: () => fixture.whenStable() };
}

describe('RtChatRoom', () => {
  it('lists messages in a polite log with pending, sent and failed marks', async () => {
    const room = fakeRoom();
    room.messages.set([
      chatMessage({ id: 'e1', from: 'ann', text: 'hi' }),
      chatMessage({ clientId: 'c1', from: 'me', text: 'on its way', mine: true, status: 'pending' }),
      chatMessage({ clientId: 'c2', from: 'me', text: 'lost', mine: true, status: 'failed' }),
    ]);
    const { element } = await render(room);

    const log = query(element, '[role="log"]');
    expect(log.getAttribute('aria-live')).toBe('polite');
    expect(texts(log, '.rt-text')).toEqual(['hi', 'on its way', 'lost']);
    expect(Array.from(log.querySelectorAll('.rt-message'), (li) => li.getAttribute('data-status'))).toEqual(['sent', 'pending', 'failed']);
    expect(texts(log, '.rt-status')).toEqual(['sending…', 'not sent']);
    expect(log.querySelectorAll('.rt-mine')).toHaveLength(2);
  });

  it('retries a failed message by its clientId', async () => {
    const room = fakeRoom();
    room.messages.set([chatMessage({ clientId: 'c9', from: 'me', text: 'lost', mine: true, status: 'failed' })]);
    const { element } = await render(room);

    const retry = query<HTMLButtonElement>(element, 'button.rt-retry');
    expect(retry.getAttribute('aria-label')).toBe('Retry sending: lost');
    retry.click();

    expect(room.retry).toHaveBeenCalledWith('c9');
  });

  it('sends the trimmed draft on Enter and clears the composer', async () => {
    const room = fakeRoom();
    const { element, composer, type, settle } = await render(room);

    await type('  hello there  ');
    const keydown = press(composer(), 'Enter');
    await settle();

    expect(keydown.defaultPrevented).toBe(true);
    expect(room.send).toHaveBeenCalledWith('hello there');
    expect(composer().value).toBe('');
    expect(texts(element, '.rt-text')).toEqual(['hello there']);
    expect(texts(element, '.rt-status')).toEqual(['sending…']);
  });

  it('keeps Shift+Enter for a new line and never sends a blank draft', async () => {
    const room = fakeRoom();
    const { composer, type, settle } = await render(room);

    await type('line one');
    expect(press(composer(), 'Enter', { shiftKey: true }).defaultPrevented).toBe(false);
    await type('   ');
    press(composer(), 'Enter');
    await settle();

    expect(room.send).not.toHaveBeenCalled();
  });

  it('sends from the Send button, which is disabled while the draft is blank', async () => {
    const room = fakeRoom();
    const { element, type } = await render(room);
    const button = query<HTMLButtonElement>(element, 'button[type="submit"]');
    expect(button.disabled).toBe(true);

    await type('via button');
    expect(button.disabled).toBe(false);
    button.click();

    expect(room.send).toHaveBeenCalledWith('via button');
  });

  it('reports typing while the draft has text', async () => {
    const room = fakeRoom();
    const { type } = await render(room);

    await type('h');
    await type('');

    expect(room.setTyping).toHaveBeenCalledTimes(1);
  });

  it('shows who is typing and the members with their count', async () => {
    const room = fakeRoom('lobby');
    room.members.set(['ann', 'bo', 'cy']);
    room.typing.set(['ann', 'bo']);
    const { element, fixture, settle } = await render(room);

    expect(texts(element, '.rt-typing')).toEqual(['ann and bo are typing…']);
    expect(texts(element, '.rt-member-list li')).toEqual(['ann', 'bo', 'cy']);
    expect(texts(element, '.rt-member-count')).toEqual(['3']);
    expect(query(element, 'aside').getAttribute('aria-label')).toBe('Members of #lobby');

    room.members.set(['ann', 'bo']);
    room.typing.set([]);
    await settle();
    expect(texts(element, '.rt-member-count')).toEqual(['2']);
    expect(texts(element, '.rt-typing')).toEqual(['']);
    expect(fixture.componentInstance).toBeDefined();
  });

  it('labels the composer with the room name and marks a room still joining', async () => {
    const room = fakeRoom('ops');
    room.joined.set(false);
    const { element, composer } = await render(room);

    const label = query<HTMLLabelElement>(element, `label[for="${composer().id}"]`);
    expect(label.textContent?.trim()).toBe('Message to #ops');
    expect(query(element, 'h2').textContent).toContain('joining');
  });

  it('renders message text and sender as text, creating no element', async () => {
    const room = fakeRoom();
    room.messages.set([chatMessage({ id: 'e1', from: HOSTILE_TEXT, text: HOSTILE_TEXT })]);
    const { element } = await render(room);

    expect(texts(element, '.rt-text')).toEqual([HOSTILE_TEXT]);
    expect(texts(element, '.rt-from')).toEqual([HOSTILE_TEXT]);
    expect(element.querySelector('img')).toBeNull();
  });
});
