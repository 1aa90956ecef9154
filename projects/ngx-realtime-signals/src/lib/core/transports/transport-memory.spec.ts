import { TransportMemory, preferFirst, type TransportStorage } from './transport-memory';

function storage(): TransportStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

describe('TransportMemory', () => {
  it('recalls a remembered transport until it expires', () => {
    let now = 1000;
    const memory = new TransportMemory(storage(), () => now);
    memory.remember('/api/chat', 'sse', 500);
    expect(memory.recall('/api/chat')).toBe('sse');
    expect(memory.recall('/other')).toBeNull();
    now = 1500;
    expect(memory.recall('/api/chat')).toBeNull();
  });

  it('keeps the choice in the given storage, so a reload in the same tab starts with it', () => {
    const shared = storage();
    new TransportMemory(shared, () => 0).remember('/api/chat', 'long-poll', 10_000);
    expect(new TransportMemory(shared, () => 1).recall('/api/chat')).toBe('long-poll');
  });

  it('falls back to memory when the storage throws, and forgets on request', () => {
    const throwing: TransportStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    const memory = new TransportMemory(throwing, () => 0);
    memory.remember('/api/chat', 'sse', 1000);
    expect(memory.recall('/api/chat')).toBe('sse');
    memory.forget('/api/chat');
    expect(memory.recall('/api/chat')).toBeNull();
  });

  it('ignores values it did not write', () => {
    const shared = storage();
    shared.items.set('ngx-realtime-signals:transport:/api/chat', 'carrier-pigeon|99999999999999');
    expect(new TransportMemory(shared, () => 0).recall('/api/chat')).toBeNull();
  });
});

describe('preferFirst', () => {
  it('moves the preferred transport to the front, and leaves the order alone for one it does not hold', () => {
    expect(preferFirst(['websocket', 'sse', 'long-poll'], 'long-poll')).toEqual(['long-poll', 'websocket', 'sse']);
    expect(preferFirst(['sse', 'long-poll'], 'websocket')).toEqual(['sse', 'long-poll']);
    expect(preferFirst(['sse', 'long-poll'], null)).toEqual(['sse', 'long-poll']);
  });
});
