import { computed, signal, type Signal } from '@angular/core';
import type { RealtimeError, RealtimeGap } from '../core/types';
import type { ChatMessage } from '../core/chat/chat-message';
import type { RoomState } from '../core/chat/room-state';

/**
 * One joined chat room as signals. Get it from `ChatService.join(room)`; the
 * same room name always gives the same handle until it is left.
 *
 * @example
 * ```ts
 * @Component({
 *   selector: 'app-lobby',
 *   template: `
 *     <p>{{ room.memberCount() }} online @if (room.typing().length) { · {{ room.typing().join(', ') }} typing… }</p>
 *     @for (m of room.messages(); track m.clientId ?? m.id) {
 *       <p>{{ m.from }}: {{ m.text }} @if (m.status === 'failed') { <button (click)="room.retry(m.clientId!)">Retry</button> }</p>
 *     }
 *     <input #box (input)="room.setTyping()" (keyup.enter)="room.send(box.value); box.value = ''" />`,
 * })
 * export class LobbyComponent {
 *   readonly room = inject(ChatService).join('lobby');
 * }
 * ```
 */
export interface ChatRoom {
  readonly room: string;
  /** Joined on the current connection (false while connecting or reconnecting). */
  readonly joined: Signal<boolean>;
  /** Oldest first, bounded by `BufferSizes.messages`, each message once; own unconfirmed messages last. */
  readonly messages: Signal<readonly ChatMessage[]>;
  readonly members: Signal<readonly string[]>;
  readonly memberCount: Signal<number>;
  /** Users typing now (each entry expires about 3 s after their last keystroke). */
  readonly typing: Signal<readonly string[]>;
  /** Set when the server could not resume from the room's cursor and sent only its newest messages. */
  readonly gap?: Signal<RealtimeGap | null>;
  /** Id of the last message seen in this room (the `since` of the next re-join). */
  readonly cursor?: Signal<string | null>;
  /** Set when the server refused to join the room: `join_refused`, with the reason in `serverCode` (e.g. `too_many_rooms`); null once joined. */
  readonly error?: Signal<RealtimeError | null>;
  /** Adds a pending message and sends it as soon as the room is joined; it is retried until the server acks it. */
  send(text: string): ChatMessage;
  /** Queues a failed message again with the same clientId. */
  retry(clientId: string): void;
  /** Tells others this user is typing; call it on every keystroke, it is throttled. */
  setTyping(): void;
  /** Leaves the room; this handle stops updating and `ChatService.join` gives a fresh one. */
  leave(): void;
}

/** What a room handle asks of the service. */
export interface RoomActions {
  send(room: string, text: string): ChatMessage;
  retry(room: string, clientId: string): void;
  setTyping(room: string): void;
  leave(room: string): void;
}

/** The service's ChatRoom: writable signals refreshed from the chat client's RoomState in batches. */
export class RoomHandle implements ChatRoom {
  private readonly joinedState = signal(false);
  private readonly messageList = signal<readonly ChatMessage[]>([]);
  private readonly memberList = signal<readonly string[]>([]);
  private readonly memberTotal = signal(0);
  private readonly typingList = signal<readonly string[]>([]);
  private readonly gapState = signal<RealtimeGap | null>(null);
  private readonly cursorState = signal<string | null>(null);
  private readonly errorState = signal<RealtimeError | null>(null);
  private left = false;

  readonly joined = this.joinedState.asReadonly();
  readonly messages = this.messageList.asReadonly();
  readonly members = this.memberList.asReadonly();
  readonly memberCount = computed(() => this.memberTotal());
  readonly typing = this.typingList.asReadonly();
  readonly gap = this.gapState.asReadonly();
  readonly cursor = this.cursorState.asReadonly();
  readonly error = this.errorState.asReadonly();

  constructor(
    readonly room: string,
    private readonly actions: RoomActions,
  ) {}

  send(text: string): ChatMessage {
    if (this.left) {
      return { clientId: null, id: null, room: this.room, from: '', text, ts: Date.now(), status: 'failed', mine: true };
    }
    return this.actions.send(this.room, text);
  }

  retry(clientId: string): void {
    if (!this.left) this.actions.retry(this.room, clientId);
  }

  setTyping(): void {
    if (!this.left) this.actions.setTyping(this.room);
  }

  leave(): void {
    if (this.left) return;
    this.actions.leave(this.room);
  }

  /** Copies the room's state into the signals; unchanged values keep their identity, so nothing downstream re-runs. */
  refresh(state: RoomState): void {
    this.joinedState.set(state.joined);
    this.messageList.set(state.log.messages());
    this.memberList.set(state.members);
    this.memberTotal.set(state.memberCount);
    this.typingList.set(state.typing.users());
    this.gapState.set(state.gap);
    this.cursorState.set(state.log.cursor);
    this.errorState.set(state.error);
  }

  /** The room was left: final state, no more updates. */
  markLeft(): void {
    this.left = true;
    this.joinedState.set(false);
    this.typingList.set([]);
  }
}
