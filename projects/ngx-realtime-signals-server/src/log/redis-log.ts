import { randomBytes, randomInt } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, ErrorReply } from 'redis';
import {
  LogUnavailableError,
  type EventLog,
  type LogStatus,
  type LoggedEvent,
  type ReadResult,
} from './event-log.js';
import { APPEND_ONCE_SCRIPT, APPEND_SCRIPT, EPOCH_SCRIPT, READ_SCRIPT, type RedisScript } from './redis-scripts.js';
import type { ChatRelay } from './chat-relay.js';
import { RedisChatRelay } from './redis-chat-relay.js';
import { RedisPresence } from './redis-presence.js';
import type { SharedPresence } from './shared-presence.js';
import { compareStreamIds, parseStreamId } from './stream-id.js';

/*
 * Why node-redis (the `redis` package) and not ioredis: node-redis is the client
 * Redis itself maintains and recommends for new Node projects, it follows new
 * server releases first, ships its own TypeScript types, and its
 * `disableOfflineQueue` makes a command fail at once while the connection is
 * down, which is what a publish needs to answer 503 instead of hanging.
 * ioredis is stable but maintained on a best-effort basis; it offers nothing
 * this log needs that node-redis lacks (we use plain commands and Lua, no
 * Cluster yet).
 */

type Client = ReturnType<typeof createClient>;

export interface RedisEventLogOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  /** Keep at least this many newest events per topic (and at most 1.1 times as many). */
  historyLimit: number;
  /** Prefix of every key this log writes; several deployments (or test runs) can share one Redis. Default `rts:`. */
  keyPrefix?: string;
  /** A command that takes longer counts as a failure (the publish answers 503). Default 5000. */
  commandTimeoutMs?: number;
  /** How long the fan-out's XREAD blocks before it polls again. Default 5000. */
  blockMs?: number;
  /** Entries per topic per XREAD of the fan-out. Default 1000. */
  readCount?: number;
  /** Upper bound of the delay between reconnect attempts. Default 2000. */
  reconnectMaxDelayMs?: number;
  /** Chat presence entries of a process expire this long after its last refresh (a crashed process's users leave then). Default 30000. */
  presenceTtlMs?: number;
  /** How long a chat send's clientId is remembered (besides the newest historyLimit per room). Default 24 h. */
  dedupTtlMs?: number;
  now?: () => number;
  /** Connection state changes and fan-out failures, for the server's log. */
  onLog?: (level: 'info' | 'warn' | 'error', message: string, error?: unknown) => void;
}

interface Listener {
  onEvent(event: LoggedEvent): void;
  onReset?: () => void;
}

/** One subscribed topic of this instance: where the fan-out stands in its stream, and who listens. */
interface Feed {
  readonly topic: string;
  readonly key: string;
  readonly listeners: Set<Listener>;
  /** Last stream id the fan-out has dispatched; null until the start position is known. */
  position: string | null;
  /** Resolves (never rejects) once `position` is fixed, or the attempt failed. */
  started: Promise<void>;
  /** The start failed: listeners get onReset once a position is fixed again. */
  startFailed: boolean;
}

export interface RedisLogCounters {
  /** Commands that failed because Redis was unreachable or slow, by operation. */
  failures: Record<'append' | 'read' | 'fan_out' | 'presence' | 'relay', number>;
  /** Times a connection to Redis was lost. */
  disconnects: number;
  /** Live subscriptions told to re-read because events were lost (Redis lost its data, or a reader fell behind). */
  resets: number;
}

const SERVER_BUSY = /^(LOADING|BUSY|MASTERDOWN|READONLY|CLUSTERDOWN|TRYAGAIN|OOM|NOREPLICAS)\b/;

/**
 * The shared log: one Redis Stream per topic, any number of server instances.
 *
 * - Event ids are the stream ids (`<ms>-<seq>`), the same on every instance and transport.
 * - History: trimmed back to HISTORY_LIMIT whenever a stream passes 1.1x (see APPEND in
 *   redis-scripts.ts for why not XADD MAXLEN ~), recording the newest trimmed id.
 * - Gaps: a Lua read decides atomically whether a cursor is still followed by every event
 *   (see READ_SCRIPT); an epoch key kept next to the streams tells a lost data set.
 * - Live fan-out: one blocking XREAD per instance over every subscribed topic, on its own
 *   connection, whatever the number of clients. Subscribing to a new topic fixes its start
 *   position (the stream's head) before the topic's next read answers, then wakes the XREAD
 *   through a small control stream of this instance.
 * - Faults: while Redis is unreachable appends fail at once (LogUnavailableError, 503) and
 *   connected clients stay connected; on reconnect the fan-out resumes from its positions,
 *   so nothing appended meanwhile is lost, and if Redis lost its data (or a position was
 *   trimmed) the affected subscribers get onReset and re-read from their cursors into a gap.
 *
 * @example
 * const log = new RedisEventLog({ url: 'redis://127.0.0.1:6379', historyLimit: 1000 });
 * await log.ready();
 * const event = await log.append('news', 'headline', { text: 'hi' });
 */
export class RedisEventLog implements EventLog {
  /** Names this instance's connections (`CLIENT LIST`) and its control stream. */
  readonly instanceId = randomBytes(8).toString('hex');
  private readonly prefix: string;
  private readonly historyLimit: number;
  private readonly commandTimeoutMs: number;
  private readonly blockMs: number;
  private readonly readCount: number;
  private readonly reconnectMaxDelayMs: number;
  private readonly dedupTtlMs: number;
  private readonly now: () => number;
  private readonly report: NonNullable<RedisEventLogOptions['onLog']>;
  private readonly commands: Client;
  private reader: Client;
  private readonly feeds = new Map<string, Feed>();
  private readonly controlKey: string;
  private controlPosition = '0-0';
  /** Trim back to `historyLimit` only when a stream passes this, so trimming costs O(1) per append on average. */
  private readonly historyCeiling: number;
  private epoch: string | undefined;
  /** Set on every (re)connect of the reader: check the epoch and the positions before reading on. */
  private recheck = true;
  private closed = false;
  private readonly closing = new AbortController();
  private readonly loop: Promise<void>;
  private readonly connected: Promise<void>;
  private readonly counters: RedisLogCounters = {
    failures: { append: 0, read: 0, fan_out: 0, presence: 0, relay: 0 },
    disconnects: 0,
    resets: 0,
  };
  private readonly url: string;
  private readonly presenceTtlMs: number;
  private sharedPresence: RedisPresence | undefined;
  private relay: RedisChatRelay | undefined;

  constructor(options: RedisEventLogOptions) {
    if (!Number.isInteger(options.historyLimit) || options.historyLimit < 1) {
      throw new RangeError('historyLimit must be a positive integer');
    }
    if (typeof options.url !== 'string' || !/^rediss?:\/\/./.test(options.url)) {
      throw new RangeError('url must be a redis:// or rediss:// URL');
    }
    if (options.keyPrefix !== undefined && !/^[A-Za-z0-9._:-]{1,64}$/.test(options.keyPrefix)) {
      throw new RangeError('keyPrefix must be 1..64 characters of [A-Za-z0-9._:-]');
    }
    for (const name of ['commandTimeoutMs', 'blockMs', 'readCount', 'reconnectMaxDelayMs', 'dedupTtlMs', 'presenceTtlMs'] as const) {
      const value = options[name];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new RangeError(`${name} must be a positive integer`);
    }
    this.url = options.url;
    this.prefix = options.keyPrefix ?? 'rts:';
    this.historyLimit = options.historyLimit;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 5000;
    this.blockMs = options.blockMs ?? 5000;
    this.readCount = options.readCount ?? 1000;
    this.reconnectMaxDelayMs = options.reconnectMaxDelayMs ?? 2000;
    this.dedupTtlMs = options.dedupTtlMs ?? 24 * 3_600_000;
    this.presenceTtlMs = options.presenceTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.report = options.onLog ?? (() => undefined);
    this.historyCeiling = Math.max(this.historyLimit, Math.floor(this.historyLimit * 1.1));
    this.controlKey = `${this.prefix}control:${this.instanceId}`;

    this.commands = this.client('commands');
    this.reader = this.client('fan-out');
    this.connected = Promise.all([
      this.commands.connect().then(() => undefined),
      this.reader.connect().then(() => undefined),
    ]).then(() => undefined);
    this.connected.catch(() => undefined);
    this.loop = this.run();
  }

  /** Resolves once both connections are up and the fan-out has read the epoch. */
  async ready(): Promise<void> {
    await this.connected;
    while (!this.closed && (this.epoch === undefined || this.recheck)) await delay(5, this.closing.signal);
  }

  async append(topic: string, type: string, data: unknown): Promise<LoggedEvent> {
    if (this.closed) throw new Error('event log is closed');
    const ts = this.now();
    const id = await this.script<string>(
      'append',
      APPEND_SCRIPT,
      [this.streamKey(topic)],
      [type, JSON.stringify(data ?? null), String(ts), String(this.historyLimit), String(this.historyCeiling)],
    );
    return Object.freeze({ id, topic, type, data, ts });
  }

  /**
   * Appends unless `key` was appended to `topic` before (among the newest historyLimit keys of
   * the topic, for at most `dedupTtlMs`); either way resolves with the id that key got. One
   * atomic script, so two instances racing with the same key append once.
   */
  async appendOnce(topic: string, type: string, data: unknown, key: string): Promise<{ id: string; fresh: boolean }> {
    if (this.closed) throw new Error('event log is closed');
    const base = this.topicKeyBase(topic);
    const [fresh, id] = await this.script<[number, string]>(
      'append',
      APPEND_ONCE_SCRIPT,
      [`${base}:s`, `${base}:dedup`, `${base}:dedup-order`],
      [
        key,
        type,
        JSON.stringify(data ?? null),
        String(this.now()),
        String(this.historyLimit),
        String(this.historyCeiling),
        String(this.historyLimit),
        String(this.dedupTtlMs),
      ],
    );
    return { id, fresh: fresh === 1 };
  }

  async read(topic: string, cursor: string | null, limit: number): Promise<ReadResult> {
    if (cursor !== null && !this.isValidCursor(cursor)) throw new RangeError(`invalid cursor: ${cursor}`);
    await this.feeds.get(topic)?.started;
    const result = await this.readRaw(topic, cursor ?? '', cursor === null ? 0 : Math.max(0, limit));
    if (cursor === null) return { events: [], cursor: result.head, reset: false };
    const last = result.events.at(-1)?.id;
    if (result.reset) {
      return { events: result.events, cursor: last ?? result.resetTo, reset: true, resetTo: result.resetTo };
    }
    return { events: result.events, cursor: last ?? cursor, reset: false };
  }

  async head(topic: string): Promise<string> {
    await this.feeds.get(topic)?.started;
    return (await this.readRaw(topic, '', 0)).head;
  }

  async last(topic: string, n: number): Promise<LoggedEvent[]> {
    await this.feeds.get(topic)?.started;
    if (n <= 0) return [];
    const entries = await this.command<RawEntry[]>('read', ['XREVRANGE', this.streamKey(topic), '+', '-', 'COUNT', String(n)]);
    return entries.map((entry) => toEvent(topic, entry)).reverse();
  }

  subscribe(topic: string, listener: (event: LoggedEvent) => void, onReset?: () => void): () => void {
    let feed = this.feeds.get(topic);
    if (!feed) {
      const created: Feed = {
        topic,
        key: this.streamKey(topic),
        listeners: new Set(),
        position: null,
        started: Promise.resolve(),
        startFailed: false,
      };
      created.started = this.startFeed(created);
      this.feeds.set(topic, created);
      feed = created;
    }
    const entry: Listener = { onEvent: listener, onReset };
    const owner = feed;
    owner.listeners.add(entry);
    return () => {
      owner.listeners.delete(entry);
      if (owner.listeners.size === 0 && this.feeds.get(topic) === owner) this.feeds.delete(topic);
    };
  }

  /** Chat presence and typing shared with every process on this Redis (created on first use). */
  get presence(): SharedPresence {
    this.sharedPresence ??= new RedisPresence({
      prefix: this.prefix,
      instanceId: this.instanceId,
      ttlMs: this.presenceTtlMs,
      now: this.now,
      run: (lua, keys, args) => this.script('presence', lua, keys, args),
      subscriber: () => this.client('presence'),
      publish: (channel, message) => this.guard('presence', this.commands, () => this.commands.sendCommand(['PUBLISH', channel, message])),
      onError: (message, error) => this.report('warn', message, error),
    });
    return this.sharedPresence;
  }

  /** Passes HTTP chat requests to the process holding the connection (created on first use). */
  get chatRelay(): ChatRelay {
    this.relay ??= new RedisChatRelay({
      prefix: this.prefix,
      processId: this.instanceId,
      deadlineMs: this.commandTimeoutMs,
      subscriber: () => this.client('chat-relay'),
      publish: (channel, message) =>
        this.guard('relay', this.commands, () => this.commands.sendCommand<number>(['PUBLISH', channel, message])),
      onError: (message, error) => this.report('warn', message, error),
    });
    return this.relay;
  }

  isValidCursor(cursor: string): boolean {
    return parseStreamId(cursor) !== null;
  }

  compare(a: string, b: string): number {
    return compareStreamIds(a, b);
  }

  status(): LogStatus {
    const up = this.commands.isReady && this.reader.isReady && !this.closed;
    return { kind: 'redis', state: up ? 'ok' : 'degraded', counters: structuredClone(this.counters) };
  }

  /** Topics this instance's fan-out reads; lets tests prove that nothing leaks. */
  listenerCount(topic?: string): number {
    if (topic !== undefined) return this.feeds.get(topic)?.listeners.size ?? 0;
    let total = 0;
    for (const feed of this.feeds.values()) total += feed.listeners.size;
    return total;
  }

  /** The Redis key of a topic's stream (tests and tools inspect it with XLEN/XINFO). */
  streamKey(topic: string): string {
    return `${this.topicKeyBase(topic)}:s`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    this.sharedPresence?.close();
    this.relay?.close();
    for (const feed of this.feeds.values()) feed.listeners.clear();
    this.feeds.clear();
    // The fan-out may be blocked in XREAD: destroying its connection ends that at once.
    this.reader.destroy();
    await this.loop;
    try {
      if (this.commands.isReady) {
        await this.commands.sendCommand(['DEL', this.controlKey]).catch(() => undefined);
        await this.commands.close();
      } else {
        this.commands.destroy();
      }
    } catch {
      this.commands.destroy();
    }
  }

  // ---- connections and commands ----

  private client(role: string): Client {
    let wasReady = false;
    const client = createClient({
      url: this.url,
      name: `ngx-realtime-signals-${role}-${this.instanceId}`,
      // Fail at once while disconnected: a publish answers 503 instead of waiting in a queue.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: this.commandTimeoutMs,
        reconnectStrategy: (retries) => Math.min(this.reconnectMaxDelayMs, 50 * 2 ** Math.min(retries, 10)),
      },
    });
    client.on('error', (error: unknown) => {
      if (wasReady) {
        wasReady = false;
        this.counters.disconnects++;
        this.report('warn', `redis ${role} connection lost; reconnecting`, error);
      }
    });
    client.on('end', () => {
      if (wasReady && !this.closed) {
        wasReady = false;
        this.counters.disconnects++;
      }
    });
    client.on('ready', () => {
      wasReady = true;
      if (role === 'fan-out') this.recheck = true;
      this.report('info', `redis ${role} connection ready`);
    });
    return client;
  }

  private async command<T>(operation: 'append' | 'read', args: string[]): Promise<T> {
    return this.guard(operation, this.commands, () => this.commands.sendCommand<T>(args));
  }

  private async script<T>(operation: keyof RedisLogCounters['failures'], lua: RedisScript, keys: string[], args: string[], client = this.commands): Promise<T> {
    return this.guard(operation, client, async () => {
      try {
        return await client.sendCommand<T>(['EVALSHA', lua.sha1, String(keys.length), ...keys, ...args]);
      } catch (error) {
        // Redis forgets loaded scripts when it restarts; send the source once more.
        if (error instanceof ErrorReply && error.message.startsWith('NOSCRIPT')) {
          return client.sendCommand<T>(['EVAL', lua.source, String(keys.length), ...keys, ...args]);
        }
        throw error;
      }
    });
  }

  /** Runs a command with a deadline; unreachable, slow or busy Redis becomes LogUnavailableError. */
  private async guard<T>(operation: keyof RedisLogCounters['failures'], client: Client, run: () => Promise<T>): Promise<T> {
    if (!client.isReady) {
      this.counters.failures[operation]++;
      throw new LogUnavailableError('the event log (Redis) is not connected');
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new LogUnavailableError(`Redis did not answer within ${this.commandTimeoutMs} ms`)), this.commandTimeoutMs);
    });
    try {
      return await Promise.race([run(), deadline]);
    } catch (error) {
      if (error instanceof LogUnavailableError) {
        this.counters.failures[operation]++;
        throw error;
      }
      if (!(error instanceof ErrorReply) || SERVER_BUSY.test(error.message)) {
        this.counters.failures[operation]++;
        throw new LogUnavailableError(`the event log (Redis) failed: ${(error as Error).message}`, { cause: error });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async readRaw(topic: string, cursor: string, limit: number, client = this.commands) {
    const [head, reset, resetTo, entries] = await this.script<[string, number, string, RawEntry[]]>(
      'read',
      READ_SCRIPT,
      [this.streamKey(topic), this.epochKey()],
      [cursor, String(limit), newEpoch()],
      client,
    );
    return { head, reset: reset === 1, resetTo, events: entries.map((entry) => toEvent(topic, entry)) };
  }

  private topicKeyBase(topic: string): string {
    // The hash tag keeps a topic's keys in one slot, as scripts and a later Redis Cluster need.
    return `${this.prefix}{${topic}}`;
  }

  private epochKey(): string {
    return `${this.prefix}epoch`;
  }

  // ---- live fan-out ----

  /** Fixes where the feed's live delivery starts (the stream's head now), then wakes the XREAD. */
  private async startFeed(feed: Feed): Promise<void> {
    try {
      const { head } = await this.readRaw(feed.topic, '', 0);
      if (feed.position === null) feed.position = head;
    } catch {
      feed.startFailed = true;
      return;
    }
    // A lost wake-up only delays the start until the XREAD's block time ends; nothing is missed.
    await this.wake().catch(() => undefined);
  }

  private async wake(): Promise<void> {
    if (!this.commands.isReady) return;
    await this.commands.sendCommand(['XADD', this.controlKey, 'MAXLEN', '16', '*', 'w', '1']);
    await this.commands.sendCommand(['PEXPIRE', this.controlKey, String(Math.max(60_000, this.blockMs * 4))]);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        if (!this.reader.isReady) {
          await this.readerReady();
          continue;
        }
        if (this.recheck) {
          this.recheck = false;
          await this.checkPositions();
          continue;
        }
        await this.restartFailedFeeds();
        const feeds = [...this.feeds.values()].filter((feed) => feed.position !== null);
        const reply = await this.readBlocking(feeds);
        failures = 0;
        if (reply) await this.dispatch(reply, feeds);
      } catch (error) {
        if (this.closed) return;
        failures++;
        this.counters.failures.fan_out++;
        this.recheck = true;
        if (failures === 1) this.report('warn', 'redis fan-out read failed; retrying', error);
        await delay(Math.min(this.reconnectMaxDelayMs, 25 * 2 ** Math.min(failures, 10)), this.closing.signal);
      }
    }
  }

  private async readerReady(): Promise<void> {
    const signal = AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.reconnectMaxDelayMs)]);
    await once(this.reader, 'ready', { signal }).catch(() => undefined);
  }

  private async readBlocking(feeds: Feed[]): Promise<RawStreams | null> {
    const args = [
      'XREAD',
      'COUNT',
      String(this.readCount),
      'BLOCK',
      String(this.blockMs),
      'STREAMS',
      this.controlKey,
      ...feeds.map((feed) => feed.key),
      this.controlPosition,
      ...feeds.map((feed) => feed.position as string),
    ];
    let timer: NodeJS.Timeout | undefined;
    const reader = this.reader;
    const stuck = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        // A connection that stopped answering (no RST, no FIN): drop it and start a fresh one.
        reject(new LogUnavailableError('the fan-out read did not return'));
        reader.destroy();
        if (!this.closed && this.reader === reader) {
          this.reader = this.client('fan-out');
          this.reader.connect().catch(() => undefined);
        }
      }, this.blockMs + this.commandTimeoutMs);
    });
    try {
      return await Promise.race([reader.sendCommand<RawStreams | null>(args), stuck]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async dispatch(reply: RawStreams, feeds: Feed[]): Promise<void> {
    const byKey = new Map(feeds.map((feed) => [feed.key, feed]));
    for (const [key, entries] of reply) {
      if (key === this.controlKey) {
        if (entries.length > 0) this.controlPosition = entries[entries.length - 1][0];
        continue;
      }
      const feed = byKey.get(key);
      if (!feed || this.feeds.get(feed.topic) !== feed || feed.position === null) continue;
      // A full batch means this instance may be behind; if its position was trimmed meanwhile, say so.
      if (entries.length >= this.readCount) {
        const check = await this.readRaw(feed.topic, feed.position, 0, this.reader);
        if (check.reset) this.resetFeed(feed);
      }
      for (const entry of entries) {
        if (this.compare(entry[0], feed.position) <= 0) continue;
        feed.position = entry[0];
        const event = toEvent(feed.topic, entry);
        for (const listener of [...feed.listeners]) {
          try {
            listener.onEvent(event);
          } catch {
            // One broken subscriber must not starve the others.
          }
        }
      }
    }
  }

  /**
   * After a (re)connect: a changed epoch means Redis lost its data, so every subscriber is
   * reset; otherwise each feed resumes from its position unless that was trimmed meanwhile.
   */
  private async checkPositions(): Promise<void> {
    const epoch = await this.script<string>('read', EPOCH_SCRIPT, [this.epochKey()], [newEpoch()], this.reader);
    const previous = this.epoch;
    this.epoch = epoch;
    const feeds = [...this.feeds.values()].filter((feed) => feed.position !== null);
    if (previous !== undefined && previous !== epoch) {
      this.report('warn', 'redis lost its data (new epoch); live subscribers re-read from their cursors');
      for (const feed of feeds) {
        feed.position = `0-${epoch}`;
        this.resetFeed(feed);
      }
      return;
    }
    if (previous === undefined) return;
    const checks = await Promise.all(feeds.map((feed) => this.readRaw(feed.topic, feed.position as string, 0, this.reader)));
    feeds.forEach((feed, index) => {
      const check = checks[index];
      if (!check.reset) return;
      feed.position = check.head;
      this.resetFeed(feed);
    });
  }

  private async restartFailedFeeds(): Promise<void> {
    for (const feed of [...this.feeds.values()]) {
      if (!feed.startFailed || this.feeds.get(feed.topic) !== feed) continue;
      const { head } = await this.readRaw(feed.topic, '', 0, this.reader);
      feed.startFailed = false;
      feed.position = head;
      // Events between the failed start and now reached nobody live: the listeners re-read.
      this.resetFeed(feed);
    }
  }

  private resetFeed(feed: Feed): void {
    for (const listener of [...feed.listeners]) {
      this.counters.resets++;
      try {
        listener.onReset?.();
      } catch {
        // as for events
      }
    }
  }
}

/** A stream entry as Redis returns it: [id, [field, value, ...]]. */
type RawEntry = [string, string[]];
type RawStreams = [string, RawEntry[]][];

function toEvent(topic: string, [id, fields]: RawEntry): LoggedEvent {
  let type = '';
  let data: unknown = null;
  let ts = 0;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1];
    if (fields[i] === 'type') type = value;
    else if (fields[i] === 'data') data = JSON.parse(value);
    else if (fields[i] === 'ts') ts = Number(value);
  }
  return Object.freeze({ id, topic, type, data, ts });
}

/** A fresh epoch candidate: a random positive safe integer (used only if Redis has none). */
function newEpoch(): string {
  return String(randomInt(1, 2 ** 47) * 64 + randomInt(0, 64));
}

/** Resolves after `ms`, or at once when `signal` aborts (close must not wait for a backoff). */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * The Redis log as the `log` option of `createRealtime`: every instance created with the same
 * Redis (and key prefix) serves the same topics, so clients may reconnect to any of them.
 * Connects in the background; `await log.ready()` to wait for it. `createRealtime` closes it
 * with the realtime instance only if it created it, so close it yourself after `realtime.close()`.
 *
 * @example
 * const log = redisLog({ url: process.env.REDIS_URL!, historyLimit: 1000 });
 * const realtime = createRealtime({ basePath: '/api', log });
 * // ... on shutdown:
 * await realtime.close();
 * await log.close();
 */
export function redisLog(options: Omit<RedisEventLogOptions, 'historyLimit'> & { historyLimit?: number }): RedisEventLog {
  return new RedisEventLog({ ...options, historyLimit: options.historyLimit ?? 1000 });
}
