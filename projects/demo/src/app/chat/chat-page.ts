import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import type { ChatRoom } from 'ngx-realtime-signals';
import { RtChatRoom } from 'ngx-realtime-signals/ui';
import { DemoConnections } from '../shell/demo-connections';
import { NameForm } from './name-form';
import { RoomPicker } from './room-picker';

const FIRST_ROOM = 'general';

/** Chat over WebSocket: pick a name, then join and switch rooms. */
@Component({
  selector: 'app-chat-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RtChatRoom, NameForm, RoomPicker],
  template: `
    <h1>Chat</h1>
    <p class="page-intro">
      <code>ChatService</code> talks WebSocket: messages you send while offline wait in an outbox and go out on reconnect;
      rooms re-join from their last message, so nothing is shown twice.
    </p>
    @if (chat.state() === 'idle' && chat.user() === null) {
      <app-name-form (chosen)="start($event)" />
    } @else {
      <div class="who">
        Signed in as <strong class="user-name">{{ chat.user() ?? chosenName() }}</strong>
        @if (chat.latencyMs() !== null) { <span class="latency">· round trip {{ chat.latencyMs() }} ms</span> }
      </div>
      <div class="layout">
        <app-room-picker [rooms]="roomNames()" [current]="current()?.room ?? null" (pick)="open($event)" (leave)="leave($event)" />
        @if (current(); as room) {
          <rt-chat-room class="card" [room]="room" />
        }
      </div>
    }
  `,
  styles: `
    .who { margin-bottom: 1rem; }
    .latency { color: var(--rt-color-muted); margin-left: 0.3rem; }
    .layout { display: grid; grid-template-columns: 12rem 1fr; gap: 1.25rem; align-items: start; }
    @media (max-width: 50rem) { .layout { grid-template-columns: 1fr; } }
  `,
})
export class ChatPage {
  protected readonly chat = inject(DemoConnections).chat;
  protected readonly chosenName = signal('');
  private readonly currentName = signal<string | null>(this.chat.rooms()[0]?.room ?? null);

  protected readonly current = computed<ChatRoom | null>(() => {
    const name = this.currentName();
    return name === null ? null : (this.chat.rooms().find((room) => room.room === name) ?? null);
  });
  protected readonly roomNames = computed(() => this.chat.rooms().map((room) => room.room));

  protected start(name: string): void {
    this.chosenName.set(name);
    this.chat.connect({ name });
    this.open(FIRST_ROOM);
  }

  protected open(room: string): void {
    this.chat.join(room);
    this.currentName.set(room);
  }

  protected leave(room: string): void {
    this.chat.rooms().find((candidate) => candidate.room === room)?.leave();
    if (this.currentName() === room) {
      this.currentName.set(this.chat.rooms().find((candidate) => candidate.room !== room)?.room ?? null);
    }
  }
}
