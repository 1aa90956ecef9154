/**
 * One chat message as the app sees it: confirmed messages come from the room's
 * log (they have an `id`), messages this client sends start `pending` with only
 * a `clientId` and turn `sent` once the server has stored them.
 *
 * @example
 * ```ts
 * const room = inject(ChatService).join('lobby');
 * const mine = room.send('hello');             // { status: 'pending', id: null, clientId: '…', mine: true }
 * // later, in a template:
 * // @for (m of room.messages(); track m.clientId ?? m.id) { <p [class.failed]="m.status === 'failed'">{{ m.from }}: {{ m.text }}</p> }
 * if (mine.status === 'failed') room.retry(mine.clientId!);
 * ```
 */
export interface ChatMessage {
  /** Chosen by the sender so a retried send is stored once; null for messages without one. */
  readonly clientId: string | null;
  /** The log id (usable as a cursor); null until the server has stored the message. */
  readonly id: string | null;
  readonly room: string;
  /** The sender's user name as set by the server ('' on a local message sent before the welcome). */
  readonly from: string;
  readonly text: string;
  /** Server time in ms since epoch once stored; local time while pending. */
  readonly ts: number;
  readonly status: 'pending' | 'sent' | 'failed';
  /** True for messages sent by this user. */
  readonly mine: boolean;
}
