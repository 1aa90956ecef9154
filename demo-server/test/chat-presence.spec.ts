import { ChatTestClient, type Frame } from './support/chat-client';
import { startChatServer, type ChatTestServer } from './support/chat-server';

// Socket round trips on a loaded machine: leave room above the waits in support/chat-client.ts.
jest.setTimeout(30_000);

describe('chat presence', () => {
  let server: ChatTestServer;
  const clients: ChatTestClient[] = [];
  const connect = async (name: string): Promise<ChatTestClient> => {
    const client = await ChatTestClient.connect(`${server.wsUrl}?name=${encodeURIComponent(name)}`);
    clients.push(client);
    return client;
  };
  const lastCount = (client: ChatTestClient): number | undefined => client.all('presence').at(-1)?.count;

  beforeEach(async () => {
    server = await startChatServer({ PRESENCE_WINDOW_MS: '500', CHAT_MEMBER_LIST_LIMIT: '5' });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server.close();
  });

  it('coalesces a burst of joins into a few delta frames with the right count', async () => {
    const ada = await connect('ada');
    const bob = await connect('bob');
    await ada.join('hall');
    await bob.join('hall');
    await ada.until(() => (lastCount(ada) === 2 ? true : undefined), 'presence count 2');
    const before = ada.all('presence').length;

    const crowd = await Promise.all(Array.from({ length: 20 }, (_, i) => connect(`user${i}`)));
    await Promise.all(crowd.map((client) => client.join('hall')));
    await ada.until(() => (lastCount(ada) === 22 ? true : undefined), 'presence count 22');
    await bob.until(() => (lastCount(bob) === 22 ? true : undefined), 'presence count 22 at bob');

    const burst = ada.all('presence').slice(before);
    expect(burst.length).toBeLessThan(10);
    const joined = burst.flatMap((frame) => frame.joined ?? []);
    // Each delta lists at most CHAT_MEMBER_LIST_LIMIT names; `count` is the authority.
    for (const frame of burst) expect((frame.joined ?? []).length).toBeLessThanOrEqual(5);
    expect(new Set(joined).size).toBe(joined.length);
    expect(burst.every((frame) => frame.left === undefined)).toBe(true);
    // Deltas are the same frames for everyone in the room.
    expect(bob.all('presence').slice(-burst.length)).toEqual(burst);
  });

  it('caps joined.members at CHAT_MEMBER_LIST_LIMIT and reports the full count', async () => {
    const members = await Promise.all(Array.from({ length: 7 }, (_, i) => connect(`m${i}`)));
    for (const member of members) await member.join('hall');
    const late = await connect('late');
    const joined = await late.join('hall');
    expect(joined.members).toHaveLength(5);
    expect(joined.members).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(joined.count).toBe(8);
  });

  it('sends a left delta when a member leaves or disconnects', async () => {
    const ada = await connect('ada');
    const bob = await connect('bob');
    const carol = await connect('carol');
    await ada.join('hall');
    await bob.join('hall');
    await carol.join('hall');
    await ada.until(() => (lastCount(ada) === 3 ? true : undefined), 'count 3');
    bob.send({ type: 'leave', room: 'hall' });
    await carol.close();
    const delta = await ada.until(() => (lastCount(ada) === 1 ? ada.all('presence').at(-1) : undefined), 'count 1');
    const left = ada.all('presence').flatMap((frame: Frame) => frame.left ?? []);
    expect(left.sort()).toEqual(['bob', 'carol']);
    expect(delta.joined ?? []).toEqual([]);
  });

  it('counts a user once however many connections it has in the room', async () => {
    const ada = await connect('ada');
    const bobPhone = await connect('bob');
    const bobLaptop = await connect('bob');
    await ada.join('hall');
    await bobPhone.join('hall');
    const joined = await bobLaptop.join('hall');
    expect(joined.count).toBe(2);
    expect(joined.members).toEqual(['ada', 'bob']);
    await ada.until(() => (lastCount(ada) === 2 ? true : undefined), 'count 2');

    await bobPhone.close();
    const carol = await connect('carol');
    await carol.join('hall');
    const afterCarol = await ada.until(() => (lastCount(ada) === 3 ? ada.all('presence').at(-1) : undefined), 'count 3');
    expect(afterCarol.left).toBeUndefined();
    expect(ada.all('presence').some((frame) => (frame.left ?? []).includes('bob'))).toBe(false);
  });

  it('never logs presence or typing', async () => {
    const ada = await connect('ada');
    const bob = await connect('bob');
    await ada.join('hall');
    await bob.join('hall');
    ada.send({ type: 'typing', room: 'hall' });
    await bob.next('typing');
    await ada.until(() => (lastCount(ada) === 2 ? true : undefined), 'count 2');
    expect(server.log.retainedCount('chat:hall')).toBe(0);
  });

  it('releases the room subscription when the last member leaves', async () => {
    const ada = await connect('ada');
    await ada.join('hall');
    expect(server.log.listenerCount('chat:hall')).toBe(1);
    const bob = await connect('bob');
    await bob.join('hall');
    expect(server.log.listenerCount('chat:hall')).toBe(1);
    ada.send({ type: 'leave', room: 'hall' });
    await ada.next('left');
    bob.send({ type: 'leave', room: 'hall' });
    await bob.next('left');
    expect(server.log.listenerCount('chat:hall')).toBe(0);
  });
});
