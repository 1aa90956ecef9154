import type { RealtimeEvent } from '../types';
import type { ChatMessage } from './chat-message';
import { toMessageData } from './chat-frames';

/**
 * The messages of one room, oldest first: first the messages confirmed by the
 * room's log (history and live events, in log order, each id once), then this
 * client's own messages the log has not shown yet (pending, sent, failed), in
 * the order they were sent. When the log shows one of those (same clientId),
 * it moves into the confirmed part at its log position, so it is never listed
 * twice and the list always reads in the order everyone else sees.
 * After a gap the list keeps what it had and continues with the newest
 * messages; the room's `gap` tells the app that something is missing between.
 */
export class RoomLog {
  private confirmed: ChatMessage[] = [];
  private local: ChatMessage[] = [];
  private readonly seen = new Set<string>();
  private snapshot: readonly ChatMessage[] | null = null;
  private lastId: string | null = null;

  constructor(
    readonly room: string,
    private readonly capacity: number,
  ) {}

  /** The id of the last log event seen in this room: the `since` of the next join. */
  get cursor(): string | null {
    return this.lastId;
  }

  /** Every message, oldest first; the same array until something changes. */
  messages(): readonly ChatMessage[] {
    this.snapshot ??= this.confirmed.concat(this.local);
    return this.snapshot;
  }

  /** Adds a local message at the end (a fresh send). */
  addLocal(message: ChatMessage): void {
    this.local.push(message);
    this.changed();
  }

  /** Updates a local message that the log has not shown yet; false when there is none with that clientId. */
  updateLocal(clientId: string, patch: Partial<ChatMessage>): boolean {
    const i = this.local.findIndex((m) => m.clientId === clientId);
    if (i < 0) return false;
    this.local[i] = { ...this.local[i], ...patch };
    this.changed();
    return true;
  }

  /** The local (not yet confirmed) message with this clientId, if any. */
  findLocal(clientId: string): ChatMessage | undefined {
    return this.local.find((m) => m.clientId === clientId);
  }

  /** Sets `from` on local messages created before the server named the user. */
  nameLocal(user: string): void {
    if (!this.local.some((m) => m.from === '')) return;
    this.local = this.local.map((m) => (m.from === '' ? { ...m, from: user } : m));
    this.changed();
  }

  /**
   * Takes one log event (live or from a join's history). Returns false for an
   * id seen before. `me` decides `mine` for messages this client did not send
   * in this page's lifetime (e.g. history written from another tab).
   */
  receive(event: RealtimeEvent, me: string | null): boolean {
    if (this.seen.has(event.id)) return false;
    this.remember(event.id);
    this.lastId = event.id;
    const data = toMessageData(event);
    if (!data) return false;
    const localIndex = data.clientId === null ? -1 : this.local.findIndex((m) => m.clientId === data.clientId);
    if (localIndex >= 0) this.local.splice(localIndex, 1);
    this.confirmed.push({
      clientId: data.clientId,
      id: event.id,
      room: this.room,
      from: data.from,
      text: data.text,
      ts: event.ts,
      status: 'sent',
      mine: localIndex >= 0 || (me !== null && data.from === me),
    });
    this.trim();
    this.changed();
    return true;
  }

  /**
   * Moves the cursor without an event: the position a join reported, so a room
   * joined while it was empty still resumes from there rather than from "now".
   */
  moveTo(cursor: string): void {
    if (cursor) this.lastId = cursor;
  }

  /**
   * The server cannot resume from the cursor (a gap, or a log that never
   * issued it): the next join asks for the newest messages instead. What is
   * already listed stays; new history is appended after it, deduplicated by id.
   */
  forgetCursor(): void {
    this.lastId = null;
  }

  private remember(id: string): void {
    this.seen.add(id);
    // ids only ever need checking against the recent past: a rejoin overlaps the end of what was seen
    if (this.seen.size > this.capacity * 2) this.seen.delete(this.seen.values().next().value as string);
  }

  private trim(): void {
    const excess = this.confirmed.length + this.local.length - this.capacity;
    if (excess > 0) this.confirmed.splice(0, Math.min(excess, this.confirmed.length));
  }

  private changed(): void {
    this.snapshot = null;
  }
}
