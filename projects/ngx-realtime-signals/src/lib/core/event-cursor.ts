import { RecentIds } from './recent-ids';
import type { RealtimeEvent, RealtimeGap } from './types';

/**
 * Where a reader stands in one topic's log: the cursor to resume from, the ids
 * already delivered (so a redelivery is dropped) and the last gap.
 *
 * @example
 * ```ts
 * const cursor = new EventCursor(null, 1000);
 * if (cursor.accept(event)) show(event);   // false for a duplicate
 * cursor.reset('k1-4', Date.now());        // a gap: resume just before the oldest retained event
 * ```
 */
export class EventCursor {
  private seen: RecentIds;
  private position: string | null;
  private lastGap: RealtimeGap | null = null;

  constructor(initial: string | null, dedupCapacity: number) {
    this.position = initial || null;
    this.seen = new RecentIds(Math.max(1, dedupCapacity));
  }

  /** The id to resume after; null means "from now". */
  get cursor(): string | null {
    return this.position;
  }

  get gap(): RealtimeGap | null {
    return this.lastGap;
  }

  /**
   * Records a delivered event and moves the cursor; false when the event was a
   * duplicate and must not reach the app. An event with an empty id (an SSE
   * message without an `id:`) has no identity: it is always new and leaves the cursor alone.
   */
  accept(event: RealtimeEvent): boolean {
    if (event.id === '') return true;
    if (!this.seen.add(event.id)) return false;
    this.position = event.id;
    return true;
  }

  /** The server moved us to `cursor` (just before its oldest retained event) because events after ours are gone. */
  reset(cursor: string, at: number): RealtimeGap {
    this.position = cursor || null;
    this.lastGap = { cursor, at };
    return this.lastGap;
  }

  /**
   * Moves the cursor without an event (a poll answer's cursor, an SSE stream's starting
   * position); `null` forgets it (an SSE empty `id:` field), so the next attempt starts from now.
   */
  moveTo(cursor: string | null): void {
    if (cursor === null) this.position = null;
    else if (cursor) this.position = cursor;
  }
}
