import { MemoryEventLog } from '../src/log/memory-log';
import type { LoggedEvent } from '../src/log/event-log';

describe('MemoryEventLog', () => {
  it('assigns strictly increasing ids in append order', async () => {
    const log = new MemoryEventLog({ historyLimit: 100 });
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push((await log.append('t', 'x', i)).id);
    for (let i = 1; i < ids.length; i++) expect(log.compare(ids[i - 1], ids[i])).toBeLessThan(0);
    expect(new Set(ids).size).toBe(50);
  });

  it('stamps topic, type, data and server time on each event', async () => {
    const log = new MemoryEventLog({ historyLimit: 10, now: () => 1234 });
    const event = await log.append('news', 'headline', { text: 'hi' });
    expect(event).toEqual({ id: expect.any(String), topic: 'news', type: 'headline', data: { text: 'hi' }, ts: 1234 });
  });

  it('gives an empty topic a non-empty head that reads as "before the first event"', async () => {
    const log = new MemoryEventLog({ historyLimit: 10 });
    const head = await log.head('empty');
    expect(head).not.toBe('');
    expect(log.isValidCursor(head)).toBe(true);
    const first = await log.append('empty', 'x', 1);
    const result = await log.read('empty', head, 10);
    expect(result).toEqual({ events: [first], cursor: first.id, reset: false });
  });

  it('reads from now when the cursor is null', async () => {
    const log = new MemoryEventLog({ historyLimit: 10 });
    await log.append('t', 'x', 1);
    const second = await log.append('t', 'x', 2);
    expect(await log.read('t', null, 10)).toEqual({ events: [], cursor: second.id, reset: false });
  });

  it('reads events after the cursor up to the limit and returns the last id as cursor', async () => {
    const log = new MemoryEventLog({ historyLimit: 100 });
    const events: LoggedEvent[] = [];
    for (let i = 0; i < 10; i++) events.push(await log.append('t', 'x', i));
    const page = await log.read('t', events[2].id, 3);
    expect(page.events.map((e) => e.data)).toEqual([3, 4, 5]);
    expect(page.cursor).toBe(events[5].id);
    expect(page.reset).toBe(false);
    const rest = await log.read('t', page.cursor, 100);
    expect(rest.events.map((e) => e.data)).toEqual([6, 7, 8, 9]);
    const none = await log.read('t', rest.cursor, 100);
    expect(none).toEqual({ events: [], cursor: rest.cursor, reset: false });
  });

  it('keeps topics apart', async () => {
    const log = new MemoryEventLog({ historyLimit: 10 });
    const headB = await log.head('b');
    await log.append('a', 'x', 1);
    expect((await log.read('b', headB, 10)).events).toEqual([]);
    expect(await log.last('a', 5)).toHaveLength(1);
  });

  it('keeps between the history limit and 1.1 times as many events', async () => {
    const log = new MemoryEventLog({ historyLimit: 100 });
    for (let i = 1; i <= 1000; i++) {
      await log.append('t', 'x', i);
      const retained = log.retainedCount('t');
      expect(retained).toBeGreaterThanOrEqual(Math.min(i, 100));
      expect(retained).toBeLessThanOrEqual(110);
    }
    const newest = await log.last('t', 100);
    expect(newest.map((e) => e.data)).toEqual(Array.from({ length: 100 }, (_, i) => 901 + i));
  });

  it('never keeps more than the limit when 1.1 times it rounds down to the limit', async () => {
    const log = new MemoryEventLog({ historyLimit: 5 });
    for (let i = 0; i < 20; i++) await log.append('t', 'x', i);
    expect(log.retainedCount('t')).toBe(5);
  });

  it('reports a gap exactly when some event after the cursor is gone', async () => {
    const log = new MemoryEventLog({ historyLimit: 5 });
    const events: LoggedEvent[] = [];
    for (let i = 0; i < 12; i++) events.push(await log.append('t', 'x', i));
    // Retained: the newest 5 (data 7..11); data 6 is the last one gone.
    const oldest = (await log.last('t', 100))[0];
    expect(oldest.data).toBe(7);
    const justEvicted = await log.read('t', events[6].id, 100);
    expect(justEvicted.reset).toBe(false);
    expect(justEvicted.events.map((e) => e.data)).toEqual([7, 8, 9, 10, 11]);
    const tooOld = await log.read('t', events[5].id, 100);
    expect(tooOld.reset).toBe(true);
    expect(tooOld.resetTo).toBe(events[6].id);
    expect(tooOld.events.map((e) => e.data)).toEqual([7, 8, 9, 10, 11]);
    expect(tooOld.cursor).toBe(events[11].id);
  });

  it('moves a reader with a gap to the oldest retained event, a page at a time', async () => {
    const log = new MemoryEventLog({ historyLimit: 5 });
    const events: LoggedEvent[] = [];
    for (let i = 0; i < 12; i++) events.push(await log.append('t', 'x', i));
    const page = await log.read('t', events[0].id, 2);
    expect(page).toEqual({ events: [events[7], events[8]], cursor: events[8].id, reset: true, resetTo: events[6].id });
    const rest = await log.read('t', page.cursor, 100);
    expect(rest).toEqual({ events: events.slice(9), cursor: events[11].id, reset: false });
  });

  it('treats a well-formed cursor of an earlier process as a gap', async () => {
    const earlier = new MemoryEventLog({ historyLimit: 10, epoch: 'aaaaaaaaaa' });
    const now = new MemoryEventLog({ historyLimit: 10, epoch: 'bbbbbbbbbb' });
    const old = await earlier.append('t', 'x', 1);
    const current = await now.append('t', 'x', 1);
    expect(now.isValidCursor(old.id)).toBe(true);
    // Everything the new process logged before the reader came back is still delivered.
    expect(await now.read('t', old.id, 10)).toEqual({
      events: [current], cursor: current.id, reset: true, resetTo: 'bbbbbbbbbb-0',
    });
  });

  it('treats a cursor past the head as a gap', async () => {
    const log = new MemoryEventLog({ historyLimit: 10, epoch: 'cccccccccc' });
    const event = await log.append('t', 'x', 1);
    expect(await log.read('t', 'cccccccccc-7', 10)).toEqual({
      events: [event], cursor: event.id, reset: true, resetTo: 'cccccccccc-0',
    });
    expect(await log.read('other', 'cccccccccc-1', 10)).toEqual({
      events: [], cursor: 'cccccccccc-0', reset: true, resetTo: 'cccccccccc-0',
    });
  });

  it('rejects cursors it could never have issued', () => {
    const log = new MemoryEventLog({ historyLimit: 10 });
    for (const bogus of ['', 'abc', '-1', 'zzzzzzzzzz--1', 'zzzzzzzzzz-01', 'ZZZZZZZZZZ-1', 'zzzzzzzzzz-1.5',
      'zzzzzzzzzz-99999999999999999', `zzzzzzzzzz-1\n`, 'zzzzzzzzzz-1 ']) {
      expect(log.isValidCursor(bogus)).toBe(false);
    }
    expect(log.isValidCursor('zzzzzzzzzz-42')).toBe(true);
    return expect(log.read('t', 'nope', 10)).rejects.toThrow(RangeError);
  });

  it('delivers to subscribers every event appended after subscribe, in order', async () => {
    const log = new MemoryEventLog({ historyLimit: 10 });
    await log.append('t', 'x', 'before');
    const seen: unknown[] = [];
    const unsubscribe = log.subscribe('t', (e) => seen.push(e.data));
    for (let i = 0; i < 30; i++) await log.append('t', 'x', i);
    await log.append('other', 'x', 'elsewhere');
    unsubscribe();
    await log.append('t', 'x', 'after');
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(log.listenerCount()).toBe(0);
  });

  it('does not hand the current event to a subscriber added while it is dispatched', async () => {
    const log = new MemoryEventLog({ historyLimit: 10 });
    const late: unknown[] = [];
    log.subscribe('t', () => {
      log.subscribe('t', (e) => late.push(e.data));
    });
    await log.append('t', 'x', 1);
    expect(late).toEqual([]);
  });

  it('keeps delivering to other subscribers when one throws', async () => {
    const log = new MemoryEventLog({ historyLimit: 10 });
    const seen: unknown[] = [];
    log.subscribe('t', () => {
      throw new Error('broken subscriber');
    });
    log.subscribe('t', (e) => seen.push(e.data));
    await log.append('t', 'x', 1);
    expect(seen).toEqual([1]);
  });

  it('supports gap-free resume: subscribe, read, then skip live events the read covered', async () => {
    const log = new MemoryEventLog({ historyLimit: 100 });
    const first = await log.append('t', 'x', 0);
    const delivered: unknown[] = [];
    let covered: string | null = null;
    const buffered: LoggedEvent[] = [];
    log.subscribe('t', (e) => {
      if (covered === null) buffered.push(e);
      else if (log.compare(e.id, covered) > 0) delivered.push(e.data);
    });
    const reading = log.read('t', first.id, 100);
    await log.append('t', 'x', 1); // races the read
    const result = await reading;
    for (const e of result.events) delivered.push(e.data);
    covered = result.cursor;
    for (const e of buffered) if (log.compare(e.id, covered) > 0) delivered.push(e.data);
    await log.append('t', 'x', 2);
    expect(delivered).toEqual([1, 2]);
  });
});
