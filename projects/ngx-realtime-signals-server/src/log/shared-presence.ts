/** A change of a room's members across every process: one user came or went, and the new count. */
export interface PresenceChange {
  readonly room: string;
  readonly joined?: string;
  readonly left?: string;
  /** Users in the room, across every process, after this change. */
  readonly count: number;
}

export interface PresenceWatcher {
  presence(change: PresenceChange): void;
  /** `user` is typing in the room, on another process. */
  typing(user: string): void;
}

/**
 * Chat presence and typing shared by every process of a deployment (the Redis log offers one):
 * a process reports its own users, and hears every change, so members see the room as a whole.
 * Entries expire unless their process keeps refreshing them, so the users of a process that
 * crashed leave on their own.
 */
export interface SharedPresence {
  /** This process's first connection of `user` in `room` joined. */
  join(room: string, user: string): Promise<void>;
  /** This process's last connection of `user` in `room` left. */
  leave(room: string, user: string): Promise<void>;
  /** The first `limit` users (in join order) and the number of users in `room`, across every process. */
  members(room: string, limit: number): Promise<{ members: string[]; count: number }>;
  /** Tells the other processes that `user` is typing in `room` (fire and forget). */
  typing(room: string, user: string): void;
  /** Changes of `room` from every process (its own included), and typing from the others. */
  watch(room: string, watcher: PresenceWatcher): () => void;
}
