import { ChatRoom, type RoomOptions } from './chat-room.js';

/** The live rooms of one chat server; a room exists while it has members (joined or joining). */
export class ChatRooms {
  private readonly rooms = new Map<string, ChatRoom>();

  constructor(private readonly options: Omit<RoomOptions, 'onEmpty'>) {}

  /** The room, created (and subscribed to its topic) on first use. */
  open(name: string): ChatRoom {
    let room = this.rooms.get(name);
    if (!room) {
      room = new ChatRoom(name, {
        ...this.options,
        onEmpty: (empty) => {
          if (this.rooms.get(name) === empty) this.rooms.delete(name);
        },
      });
      this.rooms.set(name, room);
    }
    return room;
  }

  get(name: string): ChatRoom | undefined {
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
