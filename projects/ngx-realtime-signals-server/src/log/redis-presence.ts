import type { createClient } from 'redis';
import {
  PRESENCE_JOIN_SCRIPT,
  PRESENCE_LEAVE_SCRIPT,
  PRESENCE_MEMBERS_SCRIPT,
  type RedisScript,
} from './redis-scripts.js';
import type { PresenceChange, PresenceWatcher, SharedPresence } from './shared-presence.js';

type Client = ReturnType<typeof createClient>;

export interface RedisPresenceOptions {
  prefix: string;
  instanceId: string;
  /** A process's entries expire this long after its last refresh; it refreshes every third of it. */
  ttlMs: number;
  now: () => number;
  /** Runs a script on the log's command connection (with its deadline and error mapping). */
  run<T>(script: RedisScript, keys: string[], args: string[]): Promise<T>;
  /** A fresh connection for the presence channel (pub/sub needs one of its own). */
  subscriber(): Client;
  publish(channel: string, message: string): Promise<unknown>;
  onError(message: string, error: unknown): void;
}

interface ChannelMessage extends Partial<PresenceChange> {
  readonly typing?: string;
  readonly from?: string;
}

/**
 * Chat presence in Redis: per room a sorted set of `<process>|<user>` entries that expire unless
 * their process refreshes them, and one pub/sub channel that carries every join, leave and
 * typing to every process. See PRESENCE in redis-scripts.ts.
 */
export class RedisPresence implements SharedPresence {
  private readonly local = new Map<string, Set<string>>();
  private readonly watchers = new Map<string, Set<PresenceWatcher>>();
  private readonly channel: string;
  private subscriber: Client | undefined;
  private readonly refresh: NodeJS.Timeout;

  constructor(private readonly options: RedisPresenceOptions) {
    this.channel = `${options.prefix}presence`;
    this.refresh = setInterval(() => void this.refreshAll(), Math.max(10, Math.floor(options.ttlMs / 3)));
    this.refresh.unref();
  }

  async join(room: string, user: string): Promise<void> {
    let users = this.local.get(room);
    if (!users) this.local.set(room, (users = new Set()));
    users.add(user);
    await this.upsert(room, [user]);
  }

  async leave(room: string, user: string): Promise<void> {
    const users = this.local.get(room);
    users?.delete(user);
    if (users?.size === 0) this.local.delete(room);
    const { instanceId, now, run } = this.options;
    await run(PRESENCE_LEAVE_SCRIPT, this.keys(room), [instanceId, String(now()), this.channel, room, user]);
  }

  async members(room: string, limit: number): Promise<{ members: string[]; count: number }> {
    const [members, count] = await this.options.run<[string[], number]>(PRESENCE_MEMBERS_SCRIPT, this.keys(room), [
      String(this.options.now()),
      this.channel,
      room,
      String(limit),
    ]);
    return { members, count };
  }

  typing(room: string, user: string): void {
    const message: ChannelMessage = { room, typing: user, from: this.options.instanceId };
    this.options.publish(this.channel, JSON.stringify(message)).catch(() => undefined);
  }

  watch(room: string, watcher: PresenceWatcher): () => void {
    this.listen();
    let set = this.watchers.get(room);
    if (!set) this.watchers.set(room, (set = new Set()));
    set.add(watcher);
    return () => {
      set.delete(watcher);
      if (set.size === 0 && this.watchers.get(room) === set) this.watchers.delete(room);
    };
  }

  close(): void {
    clearInterval(this.refresh);
    this.subscriber?.destroy();
    this.subscriber = undefined;
  }

  private keys(room: string): string[] {
    const base = `${this.options.prefix}{chat:${room}}:presence`;
    return [`${base}:entries`, `${base}:users`, `${base}:counts`];
  }

  private async upsert(room: string, users: string[]): Promise<void> {
    const { instanceId, ttlMs, now, run } = this.options;
    const at = now();
    await run(PRESENCE_JOIN_SCRIPT, this.keys(room), [
      instanceId,
      String(at + ttlMs),
      String(at),
      this.channel,
      room,
      String(ttlMs * 2),
      ...users,
    ]);
  }

  /** Keeps this process's entries alive, re-adds them after Redis lost them, and prunes crashed processes' entries. */
  private async refreshAll(): Promise<void> {
    const rooms = new Set([...this.local.keys(), ...this.watchers.keys()]);
    for (const room of rooms) {
      try {
        await this.upsert(room, [...(this.local.get(room) ?? [])]);
      } catch (error) {
        this.options.onError('presence refresh failed', error);
        return;
      }
    }
  }

  private listen(): void {
    if (this.subscriber) return;
    const subscriber = this.options.subscriber();
    this.subscriber = subscriber;
    subscriber
      .connect()
      .then(() => subscriber.subscribe(this.channel, (message) => this.receive(message)))
      .catch((error: unknown) => this.options.onError('presence channel subscription failed', error));
  }

  private receive(raw: string): void {
    let message: ChannelMessage;
    try {
      message = JSON.parse(raw) as ChannelMessage;
    } catch {
      return;
    }
    if (typeof message.room !== 'string') return;
    for (const watcher of [...(this.watchers.get(message.room) ?? [])]) {
      try {
        if (message.typing !== undefined) {
          if (message.from !== this.options.instanceId) watcher.typing(message.typing);
        } else if (typeof message.count === 'number') {
          watcher.presence({ room: message.room, joined: message.joined, left: message.left, count: message.count });
        }
      } catch {
        // One broken watcher must not starve the others.
      }
    }
  }
}
