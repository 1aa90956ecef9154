import {
  ChangeDetectionStrategy, Component, ElementRef, Injector, afterNextRender, computed, effect, inject, input, signal, viewChild,
} from '@angular/core';
import { DatePipe } from '@angular/common';
import type { ChatMessage, ChatRoom } from 'ngx-realtime-signals';
import { nextElementId } from '../shared/next-id';
import { typingText } from './typing-text';

/**
 * One chat room: the messages (each marked pending, sent or failed, with a retry
 * button on failed ones), the member list, who is typing, and a composer where
 * Enter sends and Shift+Enter starts a new line. New messages are announced
 * through a polite live region.
 *
 * @example
 * <rt-chat-room [room]="chat.join('general')" />
 */
@Component({
  selector: 'rt-chat-room',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe],
  host: { class: 'rt-chat-room', '[attr.data-room]': 'room().room' },
  template: `
    <section class="rt-chat-main" [attr.aria-labelledby]="titleId">
      <h2 class="rt-chat-title" [id]="titleId">#{{ room().room }}
        @if (!room().joined()) { <span class="rt-chat-joining">(joining…)</span> }
      </h2>
      <ol #log class="rt-messages" role="log" aria-live="polite" aria-label="Messages" tabindex="0">
        @for (message of messages(); track trackKey(message)) {
          <li class="rt-message" [class.rt-mine]="message.mine" [attr.data-status]="message.status"
              [attr.data-message-id]="message.id">
            <span class="rt-meta">
              <span class="rt-from">{{ message.from }}</span>
              <time class="rt-time">{{ message.ts | date: 'HH:mm' }}</time>
            </span>
            <span class="rt-text">{{ message.text }}</span>
            @switch (message.status) {
              @case ('pending') { <span class="rt-status">sending…</span> }
              @case ('failed') {
                <span class="rt-status rt-failed">not sent</span>
                @if (message.clientId) {
                  <button type="button" class="rt-retry" (click)="retry(message.clientId)"
                          [attr.aria-label]="'Retry sending: ' + message.text">Retry</button>
                }
              }
            }
          </li>
        } @empty {
          <li class="rt-empty">No messages yet. Say hello.</li>
        }
      </ol>
      <p class="rt-typing" aria-live="polite">{{ typing() }}</p>
      <form class="rt-composer" (submit)="onSubmit($event)">
        <label class="rt-visually-hidden" [for]="inputId">Message to #{{ room().room }}</label>
        <textarea #composer class="rt-input" [id]="inputId" rows="1" maxlength="4000" autocomplete="off"
                  placeholder="Write a message" [value]="draft()" (input)="onInput($event)"
                  (keydown)="onKeydown($event)"></textarea>
        <button type="submit" class="rt-send" [disabled]="!canSend()">Send</button>
      </form>
    </section>
    <aside class="rt-members" [attr.aria-label]="'Members of #' + room().room">
      <h3 class="rt-members-title">Members <span class="rt-member-count">{{ room().memberCount() }}</span></h3>
      <ul class="rt-member-list">
        @for (member of room().members(); track member) {
          <li>{{ member }}</li>
        }
      </ul>
    </aside>
  `,
  styles: `
    :host { display: grid; grid-template-columns: 1fr minmax(8rem, 12rem); gap: var(--rt-gap, 0.75rem);
      color: var(--rt-color-text, inherit); font-size: var(--rt-font-size, 0.875rem); min-height: 0; }
    @media (max-width: 40rem) { :host { grid-template-columns: 1fr; } }
    .rt-chat-main { display: flex; flex-direction: column; min-height: 0; }
    .rt-chat-title { font-size: 1.1rem; margin: 0 0 0.5rem; }
    .rt-chat-joining { font-weight: normal; color: var(--rt-color-muted, #666); font-size: 0.85rem; }
    .rt-messages { list-style: none; margin: 0; padding: 0.5rem; overflow-y: auto; flex: 1;
      min-height: var(--rt-chat-min-height, 16rem); max-height: var(--rt-chat-max-height, 60vh);
      border: 1px solid var(--rt-color-border, #8884); border-radius: var(--rt-radius, 0.5rem);
      background: var(--rt-color-surface, transparent); display: flex; flex-direction: column; gap: 0.4rem; }
    .rt-messages:focus-visible, button:focus-visible, .rt-input:focus-visible {
      outline: 2px solid var(--rt-color-focus, #3558d4); outline-offset: 2px; }
    .rt-message { display: grid; gap: 0.1rem; max-width: 80%; padding: 0.4rem 0.6rem; border-radius: var(--rt-radius, 0.5rem);
      background: var(--rt-color-bubble, #8881); align-self: flex-start; }
    .rt-mine { align-self: flex-end; background: var(--rt-color-bubble-mine, #3558d422); }
    .rt-meta { display: flex; gap: 0.5rem; font-size: 0.75rem; color: var(--rt-color-muted, #666); }
    .rt-from { font-weight: 600; }
    .rt-text { white-space: pre-wrap; overflow-wrap: anywhere; }
    .rt-status { font-size: 0.75rem; color: var(--rt-color-muted, #666); }
    .rt-failed { color: var(--rt-color-error, #c62828); }
    .rt-empty { color: var(--rt-color-muted, #666); }
    .rt-typing { min-height: 1.2em; margin: 0.25rem 0; color: var(--rt-color-muted, #666); font-style: italic; }
    .rt-composer { display: flex; gap: 0.5rem; }
    .rt-input { flex: 1; font: inherit; resize: vertical; padding: 0.4rem 0.5rem; color: inherit; background: var(--rt-color-bg, Canvas);
      border: 1px solid var(--rt-color-border, #8884); border-radius: var(--rt-radius, 0.5rem); }
    button { font: inherit; cursor: pointer; }
    .rt-send, .rt-retry { border-radius: var(--rt-radius, 0.5rem); border: 1px solid var(--rt-color-accent, #3558d4);
      background: var(--rt-color-accent, #3558d4); color: var(--rt-color-on-accent, #fff); padding: 0.3rem 0.8rem; }
    .rt-retry { justify-self: start; padding: 0 0.5rem; font-size: 0.75rem; }
    .rt-send:disabled { opacity: 0.5; cursor: default; }
    .rt-members { border-left: 1px solid var(--rt-color-border, #8884); padding-left: var(--rt-gap, 0.75rem); }
    .rt-members-title { font-size: 0.95rem; margin: 0 0 0.5rem; }
    .rt-member-count { font-weight: normal; color: var(--rt-color-muted, #666); }
    .rt-member-list { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.2rem; overflow-wrap: anywhere; }
    .rt-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  `,
})
export class RtChatRoom {
  /** The room to show, from `ChatService.join(name)`. */
  readonly room = input.required<ChatRoom>();

  protected readonly titleId = nextElementId('rt-chat-title');
  protected readonly inputId = nextElementId('rt-chat-input');
  protected readonly draft = signal('');
  protected readonly messages = computed(() => this.room().messages());
  protected readonly typing = computed(() => typingText(this.room().typing()));
  protected readonly canSend = computed(() => this.draft().trim().length > 0);

  private readonly injector = inject(Injector);
  private readonly log = viewChild.required<ElementRef<HTMLElement>>('log');

  constructor() {
    // Keep the newest message in view as messages arrive.
    effect(() => {
      this.messages();
      afterNextRender(() => {
        const log = this.log().nativeElement;
        log.scrollTop = log.scrollHeight;
      }, { injector: this.injector });
    });
  }

  /** Sends the draft (trimmed) and clears the composer; does nothing for a blank draft. */
  send(): void {
    const text = this.draft().trim();
    if (!text) return;
    this.room().send(text);
    this.draft.set('');
  }

  protected trackKey(message: ChatMessage): string {
    // clientId survives the pending -> sent transition, so a bubble is not re-created on ack.
    return message.clientId ?? message.id ?? `${message.from}@${message.ts}`;
  }

  protected retry(clientId: string): void {
    this.room().retry(clientId);
  }

  protected onInput(event: Event): void {
    const value = (event.target as HTMLTextAreaElement).value;
    this.draft.set(value);
    if (value.trim()) this.room().setTyping();
  }

  protected onKeydown(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    this.send();
  }

  protected onSubmit(event: Event): void {
    event.preventDefault();
    this.send();
  }
}
