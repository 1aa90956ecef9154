/**
 * Remembers the ack id of each (room, clientId) send so a retry, even from a
 * new connection, gets the same ack and is not appended again. The in-flight
 * append is stored as a promise, so a retry that races the first attempt
 * waits for it instead of appending twice.
 *
 * Bounded: per room the newest `perRoom` sends (at least `historyLimit`), and
 * at most `maxRooms` rooms, dropping the room with the oldest send first.
 */
export class SendDedupStore {
  private readonly rooms = new Map<string, Map<string, Promise<string>>>();

  constructor(
    private readonly perRoom: number,
    private readonly maxRooms = 10_000,
  ) {}

  /** The ack id of an earlier send with this key, if still remembered. */
  lookup(room: string, clientId: string): Promise<string> | undefined {
    return this.rooms.get(room)?.get(clientId);
  }

  /**
   * Returns the remembered ack for (room, clientId), or starts `append` and
   * remembers its result. A failed append is forgotten so a retry can succeed.
   */
  ackFor(room: string, clientId: string, append: () => Promise<string>): { id: Promise<string>; fresh: boolean } {
    const known = this.lookup(room, clientId);
    if (known) return { id: known, fresh: false };
    const id = append();
    this.remember(room, clientId, id);
    id.catch(() => this.forget(room, clientId, id));
    return { id, fresh: true };
  }

  size(room: string): number {
    return this.rooms.get(room)?.size ?? 0;
  }

  private remember(room: string, clientId: string, id: Promise<string>): void {
    let sends = this.rooms.get(room);
    if (sends) {
      this.rooms.delete(room); // re-insert: Map order doubles as "least recently sent to" order
    } else {
      sends = new Map();
      if (this.rooms.size >= this.maxRooms) this.rooms.delete(this.rooms.keys().next().value as string);
    }
    this.rooms.set(room, sends);
    sends.set(clientId, id);
    if (sends.size > this.perRoom) sends.delete(sends.keys().next().value as string);
  }

  private forget(room: string, clientId: string, id: Promise<string>): void {
    const sends = this.rooms.get(room);
    if (sends?.get(clientId) === id) sends.delete(clientId);
  }
}
