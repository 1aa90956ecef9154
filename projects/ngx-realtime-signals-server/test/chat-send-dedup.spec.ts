import { SendDedupStore } from '../src/transports/chat/send-dedup';

describe('SendDedupStore', () => {
  it('appends once per (room, clientId) and gives a retry the same id', async () => {
    const store = new SendDedupStore(10);
    const append = jest.fn(async () => 'id-1');
    const first = store.ackFor('lobby', 'c1', append);
    const retry = store.ackFor('lobby', 'c1', append);
    expect(first.fresh).toBe(true);
    expect(retry.fresh).toBe(false);
    await expect(retry.id).resolves.toBe('id-1');
    expect(append).toHaveBeenCalledTimes(1);
  });

  it('makes a retry that races the first attempt wait for the same append', async () => {
    const store = new SendDedupStore(10);
    let finish!: (id: string) => void;
    const append = jest.fn(() => new Promise<string>((resolve) => (finish = resolve)));
    const first = store.ackFor('lobby', 'c1', append);
    const retry = store.ackFor('lobby', 'c1', append);
    finish('id-7');
    await expect(Promise.all([first.id, retry.id])).resolves.toEqual(['id-7', 'id-7']);
    expect(append).toHaveBeenCalledTimes(1);
  });

  it('keys by room, so the same clientId in another room is a new send', async () => {
    const store = new SendDedupStore(10);
    await store.ackFor('a', 'c1', async () => 'a-1').id;
    const other = store.ackFor('b', 'c1', async () => 'b-1');
    expect(other.fresh).toBe(true);
    await expect(other.id).resolves.toBe('b-1');
  });

  it('forgets a failed append so the retry can succeed', async () => {
    const store = new SendDedupStore(10);
    await expect(store.ackFor('r', 'c1', async () => Promise.reject(new Error('down'))).id).rejects.toThrow('down');
    const retry = store.ackFor('r', 'c1', async () => 'id-2');
    expect(retry.fresh).toBe(true);
    await expect(retry.id).resolves.toBe('id-2');
  });

  it('remembers the newest perRoom sends of a room', async () => {
    const store = new SendDedupStore(3);
    for (const clientId of ['c1', 'c2', 'c3', 'c4']) await store.ackFor('r', clientId, async () => clientId).id;
    expect(store.size('r')).toBe(3);
    expect(store.lookup('r', 'c1')).toBeUndefined();
    await expect(store.lookup('r', 'c2')).resolves.toBe('c2');
    await expect(store.lookup('r', 'c4')).resolves.toBe('c4');
  });

  it('drops the room with the oldest send when it tracks too many rooms', async () => {
    const store = new SendDedupStore(3, 2);
    await store.ackFor('a', 'c', async () => 'a').id;
    await store.ackFor('b', 'c', async () => 'b').id;
    await store.ackFor('a', 'd', async () => 'a2').id;
    await store.ackFor('c', 'c', async () => 'c').id;
    expect(store.size('b')).toBe(0);
    expect(store.size('a')).toBe(2);
    expect(store.size('c')).toBe(1);
  });
});
