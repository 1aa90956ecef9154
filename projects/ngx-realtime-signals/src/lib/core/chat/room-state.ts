import type { RealtimeError, RealtimeGap } from '../types';
import { Outbox } from './outbox';
import { RoomLog } from './room-log';
import { TypingList } from './typing-list';

/** Everything the chat client knows about one room; plain data the Angular layer turns into signals. */
export class RoomState {
  readonly log: RoomLog;
  readonly outbox = new Outbox();
  readonly typing: TypingList;
  /** Joined on the current connection (a reconnect clears it until the server answers the re-join). */
  joined = false;
  /** A `join` frame is out on the current connection and unanswered. */
  joining = false;
  members: readonly string[] = [];
  memberCount = 0;
  gap: RealtimeGap | null = null;
  /** Why the server refused to join this room (e.g. too_many_rooms); cleared by the next successful join. */
  error: RealtimeError | null = null;
  lastTypingSentAt = -Infinity;

  constructor(
    readonly room: string,
    bufferSize: number,
    typingTtlMs: number,
    now: () => number,
    onTypingChange: () => void,
  ) {
    this.log = new RoomLog(room, bufferSize);
    this.typing = new TypingList(typingTtlMs, now, onTypingChange);
  }
}
