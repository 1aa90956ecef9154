import { appendBounded, prependBounded } from './bounded-list';
import { BurstQueue } from './burst-queue';
import { EventCursor } from './event-cursor';
import { RecentIds } from './recent-ids';
import type { RealtimeEvent } from './types';

const ev = (id: string): RealtimeEvent => ({ id, topic: 't', type: 'message', data: null, ts: 0 });

describe('RecentIds', () => {
  it('reports a repeated id as already seen', () => {
    const ids = new RecentIds(3);
    expect(ids.add('a')).toBe(true);
    expect(ids.add('a')).toBe(false);
  });

  it('forgets the oldest id beyond its capacity', () => {
    const ids = new RecentIds(2);
    ['a', 'b', 'c'].forEach((id) => ids.add(id));
    expect(ids.size).toBe(2);
    expect(ids.has('a')).toBe(false);
    expect(ids.has('c')).toBe(true);
  });
});

describe('EventCursor', () => {
  it('accepts new events, drops duplicates and moves the cursor', () => {
    const cursor = new EventCursor(null, 10);
    expect(cursor.accept(ev('1'))).toBe(true);
    expect(cursor.accept(ev('2'))).toBe(true);
    expect(cursor.accept(ev('1'))).toBe(false);
    expect(cursor.cursor).toBe('2');
  });

  it('records a gap and continues from the head', () => {
    const cursor = new EventCursor('old', 10);
    expect(cursor.reset('head', 42)).toEqual({ cursor: 'head', at: 42 });
    expect(cursor.cursor).toBe('head');
    expect(cursor.gap).toEqual({ cursor: 'head', at: 42 });
  });

  it('accepts every event without an id and leaves the cursor where it was', () => {
    const cursor = new EventCursor('c', 10);
    expect(cursor.accept(ev(''))).toBe(true);
    expect(cursor.accept(ev(''))).toBe(true);
    expect(cursor.cursor).toBe('c');
  });

  it('forgets the cursor when moved to null, and ignores an empty one', () => {
    const cursor = new EventCursor('c', 10);
    cursor.moveTo('');
    expect(cursor.cursor).toBe('c');
    cursor.moveTo(null);
    expect(cursor.cursor).toBeNull();
  });
});

describe('BurstQueue', () => {
  it('hands over everything pushed in one task as one batch', async () => {
    const batches: number[][] = [];
    const queue = new BurstQueue<number>((b) => batches.push(b));
    for (let i = 0; i < 1000; i++) queue.push(i);
    expect(batches).toEqual([]);
    await Promise.resolve();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(1000);
  });

  it('flushes on touch even without items, and not at all after dispose', async () => {
    const batches: number[][] = [];
    const queue = new BurstQueue<number>((b) => batches.push(b));
    queue.touch();
    await Promise.resolve();
    expect(batches).toEqual([[]]);
    queue.push(1);
    queue.dispose();
    await Promise.resolve();
    expect(batches).toEqual([[]]);
  });
});

describe('bounded lists', () => {
  it('appends keeping the newest tail', () => {
    expect(appendBounded([1, 2, 3], [4, 5], 4)).toEqual([2, 3, 4, 5]);
  });

  it('prepends newest first keeping the head', () => {
    expect(prependBounded([3, 2, 1], [4, 5], 4)).toEqual([5, 4, 3, 2]);
  });
});
