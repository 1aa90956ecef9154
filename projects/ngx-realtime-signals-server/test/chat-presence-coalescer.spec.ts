import { PresenceCoalescer, type PresenceDelta } from '../src/transports/chat/presence-coalescer';

describe('PresenceCoalescer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('emits one delta per window however many users join', () => {
    const deltas: PresenceDelta[] = [];
    const presence = new PresenceCoalescer(100, (delta) => deltas.push(delta));
    for (let i = 0; i < 20; i++) presence.joined(`u${i}`);
    expect(deltas).toHaveLength(0);
    jest.advanceTimersByTime(100);
    expect(deltas).toHaveLength(1);
    expect(deltas[0].joined).toHaveLength(20);
    expect(deltas[0].left).toEqual([]);
  });

  it('starts a new window after a flush', () => {
    const deltas: PresenceDelta[] = [];
    const presence = new PresenceCoalescer(100, (delta) => deltas.push(delta));
    presence.joined('a');
    jest.advanceTimersByTime(100);
    presence.left('a');
    presence.joined('b');
    jest.advanceTimersByTime(99);
    expect(deltas).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(deltas).toEqual([
      { joined: ['a'], left: [] },
      { joined: ['b'], left: ['a'] },
    ]);
  });

  it('cancels a join and a leave of the same user inside one window', () => {
    const deltas: PresenceDelta[] = [];
    const presence = new PresenceCoalescer(100, (delta) => deltas.push(delta));
    presence.joined('a');
    presence.left('a');
    presence.left('b');
    presence.joined('b');
    jest.advanceTimersByTime(100);
    expect(deltas).toEqual([]);
  });

  it('emits nothing after cancel and leaves no timer behind', () => {
    const flush = jest.fn();
    const presence = new PresenceCoalescer(100, flush);
    presence.joined('a');
    presence.cancel();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(1000);
    expect(flush).not.toHaveBeenCalled();
  });
});
