/** One message waiting for its ack. */
export interface OutboxEntry {
  readonly clientId: string;
  readonly text: string;
  /** How many times a `send` frame has gone out for it (on any connection). */
  attempts: number;
  /** Sent on the current connection and not yet answered. */
  inFlight: boolean;
}

/**
 * The unacknowledged sends of one room, in the order they were made. Entries
 * leave only on an ack or a failure; a new connection resends every entry
 * still here with the same clientId, which the server answers with the same
 * ack instead of storing the message twice.
 */
export class Outbox {
  private entries: OutboxEntry[] = [];

  get size(): number {
    return this.entries.length;
  }

  has(clientId: string): boolean {
    return this.entries.some((e) => e.clientId === clientId);
  }

  enqueue(clientId: string, text: string): void {
    this.entries.push({ clientId, text, attempts: 0, inFlight: false });
  }

  /** Entries not yet sent on the current connection, oldest first. */
  due(): OutboxEntry[] {
    return this.entries.filter((e) => !e.inFlight);
  }

  markSent(entry: OutboxEntry): void {
    entry.attempts++;
    entry.inFlight = true;
  }

  /** Removes the entry and returns it (an ack or a failure ended it). */
  remove(clientId: string): OutboxEntry | undefined {
    const i = this.entries.findIndex((e) => e.clientId === clientId);
    return i < 0 ? undefined : this.entries.splice(i, 1)[0];
  }

  /** Puts an entry back in line for the next flush (the server asked for a retry). */
  requeue(clientId: string): OutboxEntry | undefined {
    const entry = this.entries.find((e) => e.clientId === clientId);
    if (entry) entry.inFlight = false;
    return entry;
  }

  /** The connection ended: whatever was in flight may or may not have arrived, so all of it goes again. */
  connectionLost(): void {
    for (const e of this.entries) e.inFlight = false;
  }

  clear(): void {
    this.entries = [];
  }
}
