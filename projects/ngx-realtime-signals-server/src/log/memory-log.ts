import { randomBytes } from 'node:crypto';
import type { EventLog, LogStatus, LoggedEvent, ReadResult } from './event-log.js';

/**
 * Ids are `<epoch>-<seq>`: `epoch` is a random token chosen per process, so a
 * cursor from an earlier run is recognisably a gap rather than a wrong
 * position, and `seq` counts the events of one topic from 1 (`<epoch>-0` is
 * the head of an empty topic).
 */
const ID_PATTERN = /^([0-9a-z]{10})-(0|[1-9][0-9]{0,15})$/;

interface ParsedId {
  epoch: string;
  seq: number;
}

function parseId(id: string): ParsedId | null {
  const match = ID_PATTERN.exec(id);
  if (!match) return null;
  const seq = Number(match[2]);
  return Number.isSafeInteger(seq) ? { epoch: match[1], seq } : null;
}

interface TopicLog {
  /** Retained events, oldest first; `events[i].seq === evictedThrough + 1 + i`. */
  events: LoggedEvent[];
  /** Seq of the newest evicted event (0 when nothing was evicted). */
  evictedThrough: number;
  headSeq: number;
  listeners: Set<(event: LoggedEvent) => void>;
}

export interface MemoryEventLogOptions {
  /** Keep at least this many newest events per topic (and at most 1.1 times as many). */
  historyLimit: number;
  /** Fixed epoch token (10 chars of [0-9a-z]); random by default. Tests use it to fake "an earlier process". */
  epoch?: string;
  now?: () => number;
}

/**
 * The embedded log: a bounded array per topic, in this process only.
 *
 * @example
 * const log = new MemoryEventLog({ historyLimit: 1000 });
 * const event = await log.append('news', 'headline', { text: 'hi' });
 * const { events } = await log.read('news', null, 100);
 */
export class MemoryEventLog implements EventLog {
  readonly epoch: string;
  private readonly topics = new Map<string, TopicLog>();
  private readonly historyLimit: number;
  /** Trim back to `historyLimit` only when this is passed, so trimming costs O(1) per append on average. */
  private readonly historyCeiling: number;
  private readonly now: () => number;
  private closed = false;

  constructor(options: MemoryEventLogOptions) {
    if (!Number.isInteger(options.historyLimit) || options.historyLimit < 1) {
      throw new RangeError('historyLimit must be a positive integer');
    }
    if (options.epoch !== undefined && !/^[0-9a-z]{10}$/.test(options.epoch)) {
      throw new RangeError('epoch must be 10 characters of [0-9a-z]');
    }
    this.historyLimit = options.historyLimit;
    this.historyCeiling = Math.max(options.historyLimit, Math.floor(options.historyLimit * 1.1));
    this.epoch = options.epoch ?? randomEpoch();
    this.now = options.now ?? Date.now;
  }

  async append(topic: string, type: string, data: unknown): Promise<LoggedEvent> {
    if (this.closed) throw new Error('event log is closed');
    const log = this.topicLog(topic);
    log.headSeq += 1;
    const event: LoggedEvent = Object.freeze({ id: this.id(log.headSeq), topic, type, data, ts: this.now() });
    log.events.push(event);
    if (log.events.length > this.historyCeiling) {
      const evicted = log.events.length - this.historyLimit;
      log.events.splice(0, evicted);
      log.evictedThrough += evicted;
    }
    // Snapshot: a listener added while dispatching must not see this event (it was appended before it subscribed).
    for (const listener of [...log.listeners]) {
      try {
        listener(event);
      } catch {
        // One broken subscriber must not starve the others.
      }
    }
    return event;
  }

  async read(topic: string, cursor: string | null, limit: number): Promise<ReadResult> {
    const log = this.topics.get(topic);
    const head = this.id(log?.headSeq ?? 0);
    if (cursor === null) return { events: [], cursor: head, reset: false };
    const parsed = parseId(cursor);
    if (!parsed) throw new RangeError(`invalid cursor: ${cursor}`);
    const headSeq = log?.headSeq ?? 0;
    const evictedThrough = log?.evictedThrough ?? 0;
    if (parsed.epoch !== this.epoch || parsed.seq > headSeq || parsed.seq < evictedThrough) {
      // Resume from the oldest retained event, not the head: after a restart the events the
      // new process logged before this reader came back are still here and must not be skipped.
      const resetTo = this.id(evictedThrough);
      const events = log ? log.events.slice(0, Math.max(0, limit)) : [];
      return { events, cursor: events.at(-1)?.id ?? resetTo, reset: true, resetTo };
    }
    if (!log || parsed.seq === headSeq) return { events: [], cursor, reset: false };
    const start = parsed.seq - evictedThrough;
    const events = log.events.slice(start, start + Math.max(0, limit));
    return { events, cursor: events.length > 0 ? events[events.length - 1].id : cursor, reset: false };
  }

  async head(topic: string): Promise<string> {
    return this.id(this.topics.get(topic)?.headSeq ?? 0);
  }

  async last(topic: string, n: number): Promise<LoggedEvent[]> {
    const events = this.topics.get(topic)?.events ?? [];
    return n <= 0 ? [] : events.slice(-n);
  }

  subscribe(topic: string, listener: (event: LoggedEvent) => void): () => void {
    const log = this.topicLog(topic);
    const wrapped = (event: LoggedEvent): void => listener(event);
    log.listeners.add(wrapped);
    return () => {
      log.listeners.delete(wrapped);
      // A topic that was only ever listened to leaves nothing behind.
      if (log.listeners.size === 0 && log.headSeq === 0 && this.topics.get(topic) === log) this.topics.delete(topic);
    };
  }

  isValidCursor(cursor: string): boolean {
    return parseId(cursor) !== null;
  }

  compare(a: string, b: string): number {
    const pa = parseId(a);
    const pb = parseId(b);
    if (!pa || !pb) throw new RangeError(`cannot compare ids ${a} and ${b}`);
    if (pa.epoch !== pb.epoch) return pa.epoch < pb.epoch ? -1 : 1;
    return pa.seq - pb.seq;
  }

  /** Live subscribers of `topic` (or of every topic); lets tests prove that nothing leaks. */
  listenerCount(topic?: string): number {
    if (topic !== undefined) return this.topics.get(topic)?.listeners.size ?? 0;
    let total = 0;
    for (const log of this.topics.values()) total += log.listeners.size;
    return total;
  }

  /** Retained events of `topic`; lets tests check the history bound. */
  retainedCount(topic: string): number {
    return this.topics.get(topic)?.events.length ?? 0;
  }

  status(): LogStatus {
    return { kind: 'memory', state: 'ok' };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const log of this.topics.values()) log.listeners.clear();
  }

  private topicLog(topic: string): TopicLog {
    let log = this.topics.get(topic);
    if (!log) {
      log = { events: [], evictedThrough: 0, headSeq: 0, listeners: new Set() };
      this.topics.set(topic, log);
    }
    return log;
  }

  private id(seq: number): string {
    return `${this.epoch}-${seq}`;
  }
}

function randomEpoch(): string {
  // Time first, so epochs of later processes usually sort later; random tail against same-millisecond starts.
  const time = Date.now().toString(36).slice(-7).padStart(7, '0');
  const tail = (randomBytes(4).readUInt32BE(0) % 36 ** 3).toString(36).padStart(3, '0');
  return time + tail;
}
