import type { EventLog, LoggedEvent } from '../../log/event-log.js';
import type { SharedPresence } from '../../log/shared-presence.js';
import { chatTopic } from '../../topic.js';
import { encodeFrame } from './frames.js';
import { PresenceCoalescer, type PresenceDelta } from './presence-coalescer.js';

/** What a room needs from a connection: who it is and a way to hand it bytes. */
export interface RoomMember {
  readonly user: string;
  /** Writes one pre-encoded frame (shared by every recipient; never mutated). */
  deliver(frame: Buffer): void;
  /** The log lost events this member had not received: it must re-join with `since` (reconnect). */
  resync(): void;
}

export interface RoomOptions {
  log: EventLog;
  presenceWindowMs: number;
  memberListLimit: number;
  joinHistory: number;
  /** Page size for reading the history after `since`; loops until a short page. */
  readPageSize: number;
  /** Presence shared with the other processes (the log's); without it the room's presence is this process's. */
  presence?: SharedPresence;
  onDelivered(count: number): void;
  onEmpty(room: RoomChannel): void;
}

/** Live events that reach a member while its join is still reading history. */
interface PendingJoin {
  buffered: { event: LoggedEvent; frame: Buffer }[];
}

export interface JoinOutcome {
  history: LoggedEvent[];
  reset: boolean;
  /** Where the member now stands: the last history event, else the room's head before the read. */
  cursor: string;
}

/**
 * A join with `since` reads the missed messages in pages of 1.1 x `historyLimit` + 1 events;
 * a read that never ends would pin a join forever, so past this many pages the join falls back
 * to the last `chatJoinHistory` messages with `reset: true`. With a bounded log one page always
 * covers the history; the bound matters only for a log without one.
 */
export const MAX_HISTORY_PAGES = 50;

/**
 * A member's `typing` is forwarded at most once per this interval: a UI shows
 * "typing" for a few seconds anyway, and each forward costs one frame per
 * member of the room.
 */
export const TYPING_INTERVAL_MS = 1000;

/**
 * One chat room: its members, its presence, and the single log subscription
 * that fans `chat:<room>` out to them. Each broadcast is encoded once and the
 * same Buffer goes to every member.
 */
export class RoomChannel {
  readonly topic: string;
  private readonly pending = new Map<RoomMember, PendingJoin>();
  private readonly active = new Set<RoomMember>();
  /** user -> number of that user's connections in the room; presence is per user. */
  private readonly users = new Map<string, number>();
  /** member -> when its last `typing` was forwarded */
  private readonly lastTyping = new Map<RoomMember, number>();
  private readonly presence: PresenceCoalescer;
  private readonly unsubscribe: () => void;
  /** Shared presence: the room's user count across every process, as last announced. */
  private sharedCount = 0;
  private readonly unwatch: () => void = () => undefined;
  /** The users `joined.members` lists, and their JSON (undefined: to be rebuilt). */
  private listed: Set<string> | undefined;
  private listedJson: string | undefined;

  constructor(
    readonly name: string,
    private readonly options: RoomOptions,
  ) {
    this.topic = chatTopic(name);
    this.presence = new PresenceCoalescer(options.presenceWindowMs, (delta) => this.broadcastPresence(delta));
    if (options.presence) {
      // Every process hears every join and leave (its own too), so the room is one room across them.
      this.unwatch = options.presence.watch(name, {
        presence: (change) => {
          this.sharedCount = change.count;
          if (change.joined !== undefined) this.presence.joined(change.joined);
          if (change.left !== undefined) this.presence.left(change.left);
        },
        typing: (user) => {
          const frame = encodeFrame({ type: 'typing', room: this.name, user });
          for (const member of this.active) if (member.user !== user) member.deliver(frame);
        },
      });
    }
    this.unsubscribe = options.log.subscribe(
      this.topic,
      (event) => this.broadcastEvent(event),
      () => {
        for (const member of [...this.active, ...this.pending.keys()]) member.resync();
      },
    );
  }

  get memberCount(): number {
    return this.active.size + this.pending.size;
  }

  /**
   * Subscribe-then-read join: the member is registered (and buffers live
   * events) before the history read starts, so nothing appended in between is
   * lost, and live events the read already covered are dropped by id.
   * Resolves to null when the member left or went away during the read.
   */
  async join(member: RoomMember, since: string | null): Promise<JoinOutcome | null> {
    const join: PendingJoin = { buffered: [] };
    this.pending.set(member, join);
    let outcome: JoinOutcome & { covered: string | null };
    try {
      outcome = await this.readHistory(since);
    } catch (error) {
      this.removePending(member, join);
      throw error;
    }
    if (this.pending.get(member) !== join) return null;
    const roster = await this.sharedRoster(member);
    if (this.pending.get(member) !== join) return null;
    this.pending.delete(member);
    this.activate(member);

    member.deliver(
      joinedFrame(
        this.name,
        roster ? JSON.stringify(roster.members) : this.membersJson(),
        roster?.count ?? this.users.size,
        outcome,
      ),
    );
    const { log } = this.options;
    let delivered = 0;
    for (const { event, frame } of join.buffered) {
      if (outcome.covered === null || log.compare(event.id, outcome.covered) > 0) {
        member.deliver(frame);
        delivered++;
      }
    }
    this.options.onDelivered(outcome.history.length + delivered);
    return { history: outcome.history, reset: outcome.reset, cursor: outcome.cursor };
  }

  /** Removes the member (joined or still joining); the last one out disposes the room. */
  leave(member: RoomMember): void {
    this.lastTyping.delete(member);
    if (this.active.delete(member)) {
      const remaining = (this.users.get(member.user) ?? 1) - 1;
      if (remaining > 0) {
        this.users.set(member.user, remaining);
      } else {
        this.users.delete(member.user);
        if (this.listed?.has(member.user)) this.listedJson = undefined;
        if (this.options.presence) this.options.presence.leave(this.name, member.user).catch(() => undefined);
        else this.presence.left(member.user);
      }
    } else {
      this.pending.delete(member);
    }
    if (this.memberCount === 0) {
      this.dispose();
      this.options.onEmpty(this);
    }
  }

  /** `typing` goes to every other joined member (throttled per member) and is never logged. */
  typing(from: RoomMember): void {
    const now = Date.now();
    if (now - (this.lastTyping.get(from) ?? -Infinity) < TYPING_INTERVAL_MS) return;
    this.lastTyping.set(from, now);
    const frame = encodeFrame({ type: 'typing', room: this.name, user: from.user });
    for (const member of this.active) if (member !== from) member.deliver(frame);
    this.options.presence?.typing(this.name, from.user);
  }

  isActive(member: RoomMember): boolean {
    return this.active.has(member);
  }

  dispose(): void {
    this.presence.cancel();
    this.unsubscribe();
    this.unwatch();
  }

  /**
   * `joined.members` of this process's users as JSON: the first `memberListLimit` users, kept
   * until one of them leaves or the room is still below the limit when a user arrives. A room
   * filling with thousands used to copy its whole user list and encode a hundred names per join.
   */
  private membersJson(): string {
    if (this.listedJson === undefined) {
      const limit = this.options.memberListLimit;
      const listed = new Set<string>();
      if (limit > 0) {
        for (const user of this.users.keys()) {
          listed.add(user);
          if (listed.size >= limit) break;
        }
      }
      this.listed = listed;
      this.listedJson = JSON.stringify([...listed]);
    }
    return this.listedJson;
  }

  private activate(member: RoomMember): void {
    this.active.add(member);
    const connections = this.users.get(member.user) ?? 0;
    this.users.set(member.user, connections + 1);
    // A new user is listed only while the room is below the limit (a Map keeps insertion order).
    if (connections === 0 && this.users.size <= this.options.memberListLimit) this.listedJson = undefined;
    // Shared presence announces the join itself (sharedRoster registered it), to every process.
    if (connections === 0 && !this.options.presence) this.presence.joined(member.user);
  }

  /**
   * Shared presence: registers the member's user (first connection of it here) and reads the
   * room's members across every process. Null without shared presence, or when it fails (Redis
   * down): the joined frame then lists this process's users, and the join still succeeds.
   */
  private async sharedRoster(member: RoomMember): Promise<{ members: string[]; count: number } | null> {
    const shared = this.options.presence;
    if (!shared) return null;
    try {
      if (!this.users.has(member.user)) await shared.join(this.name, member.user);
      const roster = await shared.members(this.name, this.options.memberListLimit);
      this.sharedCount = roster.count;
      return roster;
    } catch {
      return null;
    }
  }

  private removePending(member: RoomMember, join: PendingJoin): void {
    if (this.pending.get(member) !== join) return;
    this.pending.delete(member);
    if (this.memberCount === 0) {
      this.dispose();
      this.options.onEmpty(this);
    }
  }

  private async readHistory(since: string | null): Promise<JoinOutcome & { covered: string | null }> {
    const { log, joinHistory, readPageSize } = this.options;
    if (since !== null) {
      const history: LoggedEvent[] = [];
      let cursor = since;
      for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
        const result = await log.read(this.topic, cursor, readPageSize);
        if (result.reset) break;
        history.push(...result.events);
        cursor = result.cursor;
        if (result.events.length < readPageSize) return { history, reset: false, covered: cursor, cursor };
      }
      if (history.length > 0) return { history, reset: false, covered: cursor, cursor };
    }
    const history = await log.last(this.topic, joinHistory);
    const last = history.at(-1)?.id ?? null;
    // An empty history still gets a position, so a later re-join can send `since`. Whatever is
    // appended after the read above reaches this member as a buffered live event, so nothing is lost.
    const cursor = last ?? (await log.head(this.topic));
    return { history, reset: since !== null, covered: last, cursor };
  }

  private broadcastEvent(event: LoggedEvent): void {
    const frame = encodeFrame({ type: 'message', room: this.name, event });
    for (const join of this.pending.values()) join.buffered.push({ event, frame });
    for (const member of this.active) member.deliver(frame);
    this.options.onDelivered(this.active.size);
  }

  private broadcastPresence(delta: PresenceDelta): void {
    const limit = this.options.memberListLimit;
    const frame = encodeFrame({
      type: 'presence',
      room: this.name,
      ...(delta.joined.length > 0 ? { joined: delta.joined.slice(0, limit) } : {}),
      ...(delta.left.length > 0 ? { left: delta.left.slice(0, limit) } : {}),
      count: this.options.presence ? this.sharedCount : this.users.size,
    });
    for (const member of this.active) member.deliver(frame);
  }
}

/**
 * The `joined` frame, byte for byte what `encodeFrame` makes of it, with `members` already JSON.
 */
function joinedFrame(room: string, membersJson: string, count: number, outcome: JoinOutcome): Buffer {
  const text =
    `{"type":"joined","room":${JSON.stringify(room)},"members":${membersJson},"count":${count}` +
    `,"history":${JSON.stringify(outcome.history)},"cursor":${JSON.stringify(outcome.cursor)}${outcome.reset ? ',"reset":true' : ''}}`;
  return Buffer.from(text, 'utf8');
}
