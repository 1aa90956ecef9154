import { MemoryEventLog } from '../src/log/memory-log';
import { encodeFrame } from '../src/transports/chat/frames';
import { RoomChannel, TYPING_INTERVAL_MS, type RoomMember } from '../src/transports/chat/room-channel';

/** A member that records the frames a room hands it (the socket side is covered by the socket tests). */
class RecordingMember implements RoomMember {
  readonly frames: any[] = [];
  readonly buffers = new Set<Buffer>();
  constructor(readonly user: string) {}
  resyncs = 0;
  deliver(frame: Buffer): void {
    this.buffers.add(frame);
    this.frames.push(JSON.parse(frame.toString('utf8')));
  }
  resync(): void {
    this.resyncs++;
  }
}

describe('RoomChannel', () => {
  let log: MemoryEventLog;
  let room: RoomChannel;
  const onEmpty = jest.fn();

  beforeEach(() => {
    log = new MemoryEventLog({ historyLimit: 100 });
    onEmpty.mockReset();
    room = new RoomChannel('lobby', {
      log,
      presenceWindowMs: 10,
      memberListLimit: 2,
      joinHistory: 3,
      readPageSize: 111,
      onDelivered: () => undefined,
      onEmpty,
    });
  });

  afterEach(() => room.dispose());

  it('delivers an event appended while the join reads history after joined, exactly once', async () => {
    const first = await log.append('chat:lobby', 'message', { text: 'before' });
    const ada = new RecordingMember('ada');
    const joining = room.join(ada, first.id);
    // The history read has already been issued; this one arrives live, mid-join.
    const during = await log.append('chat:lobby', 'message', { text: 'during' });
    await joining;
    const after = await log.append('chat:lobby', 'message', { text: 'after' });
    expect(ada.frames.map((frame) => frame.type)).toEqual(['joined', 'message', 'message']);
    expect(ada.frames[0].history).toEqual([]);
    expect(ada.frames[1].event.id).toBe(during.id);
    expect(ada.frames[2].event.id).toBe(after.id);
  });

  it('writes the very same Buffer to every member of a broadcast', async () => {
    const members = ['a', 'b', 'c'].map((name) => new RecordingMember(name));
    for (const member of members) await room.join(member, null);
    await log.append('chat:lobby', 'message', { text: 'shared' });
    const messageBuffers = members.map((member) => [...member.buffers].at(-1));
    expect(new Set(messageBuffers).size).toBe(1);
  });

  it('caps members in joined, lists each user once and counts users', async () => {
    await room.join(new RecordingMember('ada'), null);
    await room.join(new RecordingMember('bob'), null);
    await room.join(new RecordingMember('bob'), null);
    const carol = new RecordingMember('carol');
    await room.join(carol, null);
    expect(carol.frames[0]).toMatchObject({ type: 'joined', members: ['ada', 'bob'], count: 3 });
  });

  it('lists the users that remain in joined after a listed user leaves', async () => {
    const ada = new RecordingMember('ada');
    await room.join(ada, null);
    await room.join(new RecordingMember('bob'), null);
    await room.join(new RecordingMember('carol'), null);
    const dave = new RecordingMember('dave');
    await room.join(dave, null);
    expect(dave.frames[0]).toMatchObject({ members: ['ada', 'bob'], count: 4 });
    room.leave(ada);
    const erin = new RecordingMember('erin');
    await room.join(erin, null);
    expect(erin.frames[0]).toMatchObject({ members: ['bob', 'carol'], count: 4 });
  });

  it('writes joined exactly as encodeFrame serialises it, with and without reset', async () => {
    const first = await log.append('chat:lobby', 'message', { text: 'a "quoted" \u2028 line' });
    await room.join(new RecordingMember('ada'), null);
    const bob = new RecordingMember('bob');
    await room.join(bob, first.id);
    const late = new RecordingMember('cy');
    await room.join(late, 'zzzzzzzzzz-5');
    for (const member of [bob, late]) {
      const [buffer] = [...member.buffers];
      expect(buffer.equals(encodeFrame(member.frames[0]))).toBe(true);
    }
    expect(late.frames[0]).toMatchObject({ reset: true, history: [first] });
  });

  it('reports itself empty once the last member leaves, even one still joining', async () => {
    const ada = new RecordingMember('ada');
    const joining = room.join(ada, null);
    room.leave(ada);
    await expect(joining).resolves.toBeNull();
    expect(ada.frames).toEqual([]);
    expect(onEmpty).toHaveBeenCalledWith(room);
    expect(log.listenerCount('chat:lobby')).toBe(0);
  });

  it('forwards typing to the others at most once per TYPING_INTERVAL_MS per member', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const ada = new RecordingMember('ada');
      const bob = new RecordingMember('bob');
      await room.join(ada, null);
      await room.join(bob, null);
      room.typing(ada);
      room.typing(ada);
      room.typing(bob);
      jest.setSystemTime(1_000_000 + TYPING_INTERVAL_MS);
      room.typing(ada);
      const typing = (member: RecordingMember) => member.frames.filter((frame) => frame.type === 'typing');
      expect(typing(bob)).toEqual([
        { type: 'typing', room: 'lobby', user: 'ada' },
        { type: 'typing', room: 'lobby', user: 'ada' },
      ]);
      expect(typing(ada)).toEqual([{ type: 'typing', room: 'lobby', user: 'bob' }]);
    } finally {
      jest.useRealTimers();
    }
  });
});
