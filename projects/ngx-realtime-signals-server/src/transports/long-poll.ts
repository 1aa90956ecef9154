import type { Request, Response } from 'express';
import { ApiError } from '../errors.js';
import { clientIp } from '../limits.js';
import type { ReadResult } from '../log/event-log.js';
import { cursorParam, integerParam, topicParam } from '../request-params.js';
import type { TransportDeps } from './transport-deps.js';

export interface LongPollTransport {
  /** GET poll/:topic?cursor=&timeout=&limit= */
  handle(req: Request, res: Response): Promise<void>;
  /** Polls currently held open waiting for events. */
  connectionCount(): number;
  /** Answers every held poll now with what it has (graceful shutdown). */
  close(): void;
}

interface PollAnswer {
  events: ReadResult['events'];
  cursor: string;
  reset?: true;
}

/** One poll of a topic, from its first read until it is answered or its client leaves. */
interface Waiter {
  /** Where it waits from; null while its first read is under way. */
  cursor: string | null;
  readonly limit: number;
  /** An append (or a reset) came after the waiter was registered. */
  woken: boolean;
  /** Set while the poll waits: ends the wait with the topic's shared read, or null to read alone. */
  settle: ((result: ReadResult | null) => void) | null;
}

/** The polls of one topic, and the one log subscription that wakes them all. */
interface TopicWaiters {
  readonly waiters: Set<Waiter>;
  unsubscribe: () => void;
  wakeScheduled: boolean;
}

/** A serialised answer, shared by every poll that gets the same one. */
interface AnswerBody {
  readonly bytes: Buffer;
  /** The app's ETag for it (Express's `etag fn`), computed once; null when the app has none. */
  etag?: string | null;
}

/**
 * Long polling: answer at once when events follow the cursor, else hold the
 * request until one is appended or the timeout passes. A client that goes
 * away releases its waiter (timer, connection slot) at once.
 *
 * The held polls of a topic share one log subscription. An append wakes them on the next turn of
 * the event loop (so the publisher's 201 does not wait for them), and the polls waiting from the
 * same cursor with the same limit share one read of the log and one serialised answer: with
 * 10,000 polls on a topic, an event costs one read and one JSON encoding, not 10,000 of each.
 *
 * @example
 * const poll = createLongPollTransport(deps);
 * router.get('/poll/:topic', (req, res) => poll.handle(req, res));
 */
export function createLongPollTransport(deps: TransportDeps): LongPollTransport {
  const { log, config, metrics, logger } = deps;
  const held = new Set<Waiter>();
  const topics = new Map<string, TopicWaiters>();
  let closing = false;

  // Polls answered from separate reads with the same outcome in one turn (say, many clients
  // re-polling from the same cursor) share the serialised answer too; the delivered counter gets
  // one increment per turn instead of one label hash per poll.
  const sharedBodies = new WeakMap<ReadResult, AnswerBody>();
  let answers = new Map<string, AnswerBody>();
  let uncounted = 0;
  let turnScheduled = false;
  const endTurn = (): void => {
    turnScheduled = false;
    answers = new Map();
    const count = uncounted;
    uncounted = 0;
    if (count > 0) metrics.eventsDelivered.inc({ transport: 'long_poll' }, count);
  };

  function hold(topic: string, waiter: Waiter): TopicWaiters {
    let entry = topics.get(topic);
    if (entry === undefined) {
      const created: TopicWaiters = { waiters: new Set(), unsubscribe: () => undefined, wakeScheduled: false };
      // A reset of the shared log wakes the polls too: the re-read from their cursor answers the gap.
      const wake = (): void => wakeAll(topic, created);
      created.unsubscribe = log.subscribe(topic, wake, wake);
      topics.set(topic, created);
      entry = created;
    }
    entry.waiters.add(waiter);
    return entry;
  }

  function release(topic: string, entry: TopicWaiters, waiter: Waiter): void {
    entry.waiters.delete(waiter);
    if (entry.waiters.size === 0 && topics.get(topic) === entry) {
      topics.delete(topic);
      entry.unsubscribe();
    }
  }

  function wakeAll(topic: string, entry: TopicWaiters): void {
    for (const waiter of entry.waiters) waiter.woken = true;
    if (entry.wakeScheduled) return;
    entry.wakeScheduled = true;
    setImmediate(() => {
      entry.wakeScheduled = false;
      answerWaiting(topic, entry);
    });
  }

  /** One read per (cursor, limit) among the waiting polls of a topic, shared by all of them. */
  function answerWaiting(topic: string, entry: TopicWaiters): void {
    const groups = new Map<string, Waiter[]>();
    for (const waiter of entry.waiters) {
      if (waiter.settle === null || waiter.cursor === null) continue;
      const key = `${waiter.limit}\n${waiter.cursor}`;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [waiter]);
      else group.push(waiter);
    }
    for (const group of groups.values()) {
      const { cursor, limit } = group[0];
      log.read(topic, cursor, limit).then(
        (result) => {
          for (const waiter of group) waiter.settle?.(result);
        },
        // Each poll then reads alone, and a failing log fails each as before.
        () => {
          for (const waiter of group) waiter.settle?.(null);
        },
      );
    }
  }

  function bodyOf(result: ReadResult, key: () => string): AnswerBody {
    let body = sharedBodies.get(result);
    if (body === undefined) {
      const turnKey = key();
      body = answers.get(turnKey);
      if (body === undefined) {
        const answer: PollAnswer = { events: result.events, cursor: result.cursor };
        if (result.reset) answer.reset = true;
        body = { bytes: Buffer.from(JSON.stringify(answer), 'utf8') };
        answers.set(turnKey, body);
      }
      sharedBodies.set(result, body);
    }
    uncounted += result.events.length;
    if (!turnScheduled) {
      turnScheduled = true;
      // a microtask: the count is in before any response reaches a client or a scrape runs
      queueMicrotask(endTurn);
    }
    return body;
  }

  async function handle(req: Request, res: Response): Promise<void> {
    const topic = topicParam(req.params['topic']);
    const cursor = cursorParam(req.query['cursor'], log);
    const timeout = integerParam(req.query['timeout'], 'invalid_timeout', 'timeout', {
      min: 0,
      max: config.pollMaxTimeoutMs,
      fallback: config.pollDefaultTimeoutMs,
    });
    const limit = integerParam(req.query['limit'], 'invalid_limit', 'limit', {
      min: 1,
      max: config.pollMaxLimit,
      fallback: config.pollDefaultLimit,
    });
    const releaseSlot = deps.connections.tryAcquire(clientIp(req));
    if (!releaseSlot) throw new ApiError('too_many_connections');

    // Registered before the first read, so an append between the read and the wait cannot be missed.
    const waiter: Waiter = { cursor: null, limit, woken: false, settle: null };
    const entry = hold(topic, waiter);
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      release(topic, entry, waiter);
      clearTimeout(timer);
      releaseSlot();
      waiter.settle?.(null); // lets a handler that is waiting return instead of hanging on forever
    };
    // Either fires when the client goes away; both are harmless after a normal answer.
    req.on('close', finish);
    res.on('close', finish);

    try {
      const first = await log.read(topic, cursor, limit);
      if (first.events.length > 0 || first.reset || timeout === 0 || done) {
        finish();
        if (!res.writableEnded && !res.destroyed) answer(req, res, first, () => answerKey(topic, cursor, limit, first));
        return;
      }
      // From here on the cursor is concrete (the head when the client sent none).
      const waitFrom = first.cursor;
      waiter.cursor = waitFrom;
      const shared = await new Promise<ReadResult | null>((resolve) => {
        waiter.settle = (result) => {
          waiter.settle = null;
          held.delete(waiter);
          resolve(result);
        };
        held.add(waiter);
        timer = setTimeout(() => waiter.settle?.(null), timeout);
        // Woken before it waited (it reads alone), or a poll that reaches its wait after close():
        // it answers at once instead of holding shutdown up.
        if (waiter.woken || done || closing) waiter.settle(null);
      });
      if (done) return; // the client left while we waited
      const result = shared ?? (await log.read(topic, waitFrom, limit));
      finish();
      if (!res.writableEnded && !res.destroyed) answer(req, res, result, () => answerKey(topic, waitFrom, limit, result));
    } catch (error) {
      finish();
      logger.error({ err: error, topic }, 'long poll read failed');
      throw error;
    }
  }

  /** What `res.status(200).json(answer)` sends (ETag and 304 included when the app has ETags), from a shared body. */
  function answer(req: Request, res: Response, result: ReadResult, key: () => string): void {
    const body = bodyOf(result, key);
    res.statusCode = 200;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', body.bytes.length);
    const etagFn: unknown = req.app?.get('etag fn');
    if (typeof etagFn === 'function' && !res.getHeader('ETag')) {
      if (body.etag === undefined) body.etag = (etagFn as (body: Buffer) => string | undefined)(body.bytes) || null;
      if (body.etag !== null) res.setHeader('ETag', body.etag);
      if (req.fresh) {
        res.statusCode = 304;
        res.removeHeader('Content-Type');
        res.removeHeader('Content-Length');
        res.end();
        return;
      }
    }
    if (req.method === 'HEAD') res.end();
    else res.end(body.bytes);
  }

  return {
    handle,
    connectionCount: () => held.size,
    close() {
      closing = true;
      for (const waiter of [...held]) waiter.settle?.(null);
    },
  };
}

/** Same topic, cursor, limit and outcome in one turn: the same answer. */
function answerKey(topic: string, cursor: string | null, limit: number, result: ReadResult): string {
  return `${topic}\n${cursor ?? ''}\n${limit}\n${result.cursor}\n${result.events.length}\n${result.reset ? 'reset' : ''}`;
}
