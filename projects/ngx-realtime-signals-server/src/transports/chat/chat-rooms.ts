import { RoomChannel, type RoomOptions } from './room-channel.js';

/** The live rooms of one chat server; a room exists while it has members (joined or joining). */
export class ChatRooms {
  private readonly rooms = new Map<string, RoomChannel>();

  constructor(private readonly options: Omit<RoomOptions, 'onEmpty'>) {}

  /** The room, created (and subscribed to its topic) on first use. */
  open(name: string): RoomChannel {
    let room = this.rooms.get(name);
    if (!room) {
      room = new RoomChannel(name, {
        ...this.options,
        onEmpty: (empty) => {
          if (this.rooms.get(name) === empty) this.rooms.delete(name);
        },
      });
      this.rooms.set(name, room);
    }
    return room;
  }

  get(name: string): RoomChannel | undefined {
    return this.rooms.get(name);
  }

  get size(): number {
    return this.rooms.size;
  }

  /** Unsubscribes every room and clears every presence timer. */
  disposeAll(): void {
    for (const room of this.rooms.values()) room.dispose();
    this.rooms.clear();
  }
}
