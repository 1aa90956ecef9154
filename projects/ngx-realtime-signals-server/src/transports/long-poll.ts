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

/**
 * Long polling: answer at once when events follow the cursor, else hold the
 * request until one is appended or the timeout passes. A client that goes
 * away releases its waiter (listener, timer, connection slot) at once.
 *
 * @example
 * const poll = createLongPollTransport(deps);
 * router.get('/poll/:topic', (req, res) => poll.handle(req, res));
 */
export function createLongPollTransport(deps: TransportDeps): LongPollTransport {
  const { log, config, metrics, logger } = deps;
  const held = new Set<() => void>();
  let closing = false;

  // An append wakes every held poll of the topic, and each reads the same events from the same
  // cursor: the answer is serialised once per (topic, cursor, limit) in that turn of the event loop,
  // and the delivered counter gets one increment per turn instead of one label hash per poll.
  let answers = new Map<string, string>();
  let uncounted = 0;
  let turnScheduled = false;
  const endTurn = (): void => {
    turnScheduled = false;
    answers = new Map();
    const count = uncounted;
    uncounted = 0;
    if (count > 0) metrics.eventsDelivered.inc({ transport: 'long_poll' }, count);
  };

  function answer(res: Response, result: ReadResult, key: string): void {
    let text = answers.get(key);
    if (text === undefined) {
      const body: PollAnswer = { events: result.events, cursor: result.cursor };
      if (result.reset) body.reset = true;
      text = JSON.stringify(body);
      answers.set(key, text);
    }
    uncounted += result.events.length;
    if (!turnScheduled) {
      turnScheduled = true;
      // a microtask: the count is in before any response reaches a client or a scrape runs
      queueMicrotask(endTurn);
    }
    res.setHeader('Cache-Control', 'no-store');
    // what res.json() sends, without serialising the same answer once per poll
    res.status(200).type('application/json').send(text);
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
    const release = deps.connections.tryAcquire(clientIp(req));
    if (!release) throw new ApiError('too_many_connections');

    // Subscribe before reading so an append between the read and the wait cannot be missed.
    let wake: (() => void) | null = null;
    let woken = false;
    // A reset of the shared log wakes the poll too: the re-read from its cursor then answers the gap.
    const onAppendOrReset = (): void => {
      woken = true;
      wake?.();
    };
    const unsubscribe = log.subscribe(topic, onAppendOrReset, onAppendOrReset);
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      unsubscribe();
      clearTimeout(timer);
      release();
      if (wake) {
        held.delete(wake);
        wake(); // lets a handler that is waiting return instead of hanging on forever
      }
    };
    // Either fires when the client goes away; both are harmless after a normal answer.
    req.once('close', finish);
    res.once('close', finish);

    try {
      const first = await log.read(topic, cursor, limit);
      if (first.events.length > 0 || first.reset || timeout === 0 || done) {
        finish();
        if (!res.writableEnded && !res.destroyed) answer(res, first, answerKey(topic, cursor, limit, first));
        return;
      }
      // From here on the cursor is concrete (the head when the client sent none).
      const waitFrom = first.cursor;
      await new Promise<void>((resolve) => {
        wake = resolve;
        held.add(resolve);
        timer = setTimeout(resolve, timeout);
        // A poll that reaches its wait after close() answers at once instead of holding shutdown up.
        if (woken || done || closing) resolve();
      });
      if (done) return; // the client left while we waited
      const result = await log.read(topic, waitFrom, limit);
      finish();
      if (!res.writableEnded && !res.destroyed) answer(res, result, answerKey(topic, waitFrom, limit, result));
    } catch (error) {
      finish();
      logger.error({ err: error, topic }, 'long poll read failed');
      throw error;
    }
  }

  return {
    handle,
    connectionCount: () => held.size,
    close() {
      closing = true;
      for (const wakeUp of [...held]) wakeUp();
    },
  };
}

/** Same topic, cursor, limit and outcome in one turn: the same answer. */
function answerKey(topic: string, cursor: string | null, limit: number, result: ReadResult): string {
  return `${topic}\n${cursor ?? ''}\n${limit}\n${result.cursor}\n${result.events.length}\n${result.reset ? 'reset' : ''}`;
}
