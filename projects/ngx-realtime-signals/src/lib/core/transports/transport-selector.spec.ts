import { TransportMemory } from './transport-memory';
import { TransportSelector } from './transport-selector';
import { DEFAULT_TRANSPORT_FALLBACK } from './transport-kind';

describe('TransportSelector', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function setup(probeAnswers: boolean[]) {
    const memory = new TransportMemory(null, () => Date.now());
    const upgrade = jest.fn();
    const changed = jest.fn();
    const probe = jest.fn(() => Promise.resolve(probeAnswers.shift() ?? false));
    const selector = new TransportSelector({
      order: ['websocket', 'sse', 'long-poll'],
      fallback: { ...DEFAULT_TRANSPORT_FALLBACK, reprobeMs: 1000 },
      memory,
      probe,
      upgrade,
      changed,
    });
    return { selector, memory, upgrade, changed, probe };
  }

  it('starts the next attempt with the fallback that won, and remembers it', () => {
    const { selector, memory, changed } = setup([]);
    expect(selector.orderForAttempt('/api/chat')).toEqual(['websocket', 'sse', 'long-poll']);
    selector.chosen('sse');
    expect(changed).toHaveBeenCalledWith('sse');
    expect(memory.recall('/api/chat')).toBe('sse');
    expect(selector.orderForAttempt('/api/chat')).toEqual(['sse', 'websocket', 'long-poll']);
  });

  it('probes the preferred transport in the background and upgrades when it answers', async () => {
    const { selector, memory, upgrade, probe } = setup([false, true]);
    selector.orderForAttempt('/api/chat');
    selector.chosen('sse');
    await jest.advanceTimersByTimeAsync(1000);
    expect(probe).toHaveBeenCalledWith('websocket');
    expect(upgrade).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1000);
    expect(upgrade).toHaveBeenCalledTimes(1);
    expect(memory.recall('/api/chat')).toBeNull();
  });

  it('does not probe while on the preferred transport, nor after the service stopped', async () => {
    const { selector, probe } = setup([true]);
    selector.orderForAttempt('/api/chat');
    selector.chosen('websocket');
    await jest.advanceTimersByTimeAsync(5000);
    selector.chosen('sse');
    selector.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(probe).not.toHaveBeenCalled();
  });
});
