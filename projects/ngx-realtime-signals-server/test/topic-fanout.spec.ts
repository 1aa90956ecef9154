import { MemoryEventLog } from '../src/log/memory-log';
import { createTopicFanout } from '../src/transports/topic-fanout';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('createTopicFanout', () => {
  it('delivers after append has returned, in order, through one log subscription per topic', async () => {
    const log = new MemoryEventLog({ historyLimit: 100 });
    const fanout = createTopicFanout(log);
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = fanout.subscribe('t', (e) => a.push(e.data));
    const offB = fanout.subscribe('t', (e) => b.push(e.data));
    expect(log.listenerCount('t')).toBe(1);

    for (let i = 0; i < 5; i++) await log.append('t', 'x', i);
    // the appending code (a publish being answered) has moved on before anything was written
    expect(a).toEqual([]);
    await nextTurn();
    expect(a).toEqual([0, 1, 2, 3, 4]);
    expect(b).toEqual([0, 1, 2, 3, 4]);

    offA();
    await log.append('t', 'x', 5);
    await nextTurn();
    expect(a).toEqual([0, 1, 2, 3, 4]);
    expect(b).toEqual([0, 1, 2, 3, 4, 5]);
    offB();
    expect(log.listenerCount()).toBe(0);
  });

  it('keeps delivering to the others when one listener throws', async () => {
    const log = new MemoryEventLog({ historyLimit: 10 });
    const fanout = createTopicFanout(log);
    const seen: unknown[] = [];
    fanout.subscribe('t', () => {
      throw new Error('broken connection');
    });
    fanout.subscribe('t', (e) => seen.push(e.data));
    await log.append('t', 'x', 1);
    await nextTurn();
    expect(seen).toEqual([1]);
  });

  it('starts a connection added during a pass with the next pass', async () => {
    const log = new MemoryEventLog({ historyLimit: 10 });
    const fanout = createTopicFanout(log);
    const late: unknown[] = [];
    fanout.subscribe('t', () => {
      if (late.length === 0) fanout.subscribe('t', (e) => late.push(e.data));
    });
    await log.append('t', 'x', 1);
    await nextTurn();
    expect(late).toEqual([]);
    await log.append('t', 'x', 2);
    await nextTurn();
    expect(late).toEqual([2]);
  });
});
