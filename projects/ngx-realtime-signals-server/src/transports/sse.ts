import type { Request, Response } from 'express';
import { atTime } from '../at-time.js';
import { ApiError } from '../errors.js';
import { clientIp } from '../limits.js';
import type { LoggedEvent, ReadResult } from '../log/event-log.js';
import { cursorParam, topicParam } from '../request-params.js';
import { cursorFrame, eventFrame, resetFrame } from '../sse-frame.js';
import { SseStream } from './sse-stream.js';
import { createTopicFanout } from './topic-fanout.js';
import type { TransportDeps } from './transport-deps.js';

export interface SseTransport {
  /** GET events/:topic; with `endsAtMs` (the token's exp when auth is on) the stream ends then. */
  handle(req: Request, res: Response, endsAtMs?: number | null): Promise<void>;
  connectionCount(): number;
  /** Ends every open stream (graceful shutdown); clients reconnect elsewhere with their Last-Event-ID. */
  close(): void;
}

/** Reading a resume backlog is bounded by history anyway; this only guards a log without a bound. */
const BACKLOG_READ_LIMIT = 1_000_000;

/**
 * Server-Sent Events for one topic per stream, resumable by Last-Event-ID.
 *
 * @example
 * const sse = createSseTransport(deps);
 * router.get('/events/:topic', (req, res) => sse.handle(req, res));
 */
export function createSseTransport(deps: TransportDeps): SseTransport {
  const { log, config, metrics, logger } = deps;
  const streams = new Set<SseStream>();
  // one log subscription per topic, fanned out after the publish is answered
  const fanout = createTopicFanout(log);
  // A fan-out to N streams adds N to the counter once (in a microtask, before any I/O or scrape),
  // instead of N label hashes and checks in prom-client, one per stream.
  let uncounted = 0;
  const flushDelivered = (): void => {
    const count = uncounted;
    uncounted = 0;
    metrics.eventsDelivered.inc({ transport: 'sse' }, count);
  };
  const delivered = {
    inc: (): void => {
      if (uncounted++ === 0) queueMicrotask(flushDelivered);
    },
  };

  async function handle(req: Request, res: Response, endsAtMs: number | null = null): Promise<void> {
    const topic = topicParam(req.params['topic']);
    // The header wins over the query (browsers send the header on their own reconnects); empty counts as absent.
    const header = req.get('last-event-id');
    const cursor = cursorParam(header !== undefined && header !== '' ? header : req.query['lastEventId'], log);
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform' });
      res.end();
      return;
    }
    const release = deps.connections.tryAcquire(clientIp(req));
    if (!release) throw new ApiError('too_many_connections');

    const stream = new SseStream(res, {
      retryMs: config.sseRetryMs,
      heartbeatMs: config.sseHeartbeatMs,
      maxBufferedBytes: config.maxBufferedBytes,
      onSlowConsumer: () => {
        metrics.droppedConnections.inc({ transport: 'sse', reason: 'slow_consumer' });
        logger.debug({ topic }, 'dropped a slow SSE consumer');
      },
    });
    const deliver = (event: LoggedEvent): void => {
      if (stream.push(eventFrame(event))) delivered.inc();
    };

    // Subscribe before the headers go out: every event appended once the client has the headers is delivered.
    // Until the backlog is out, live events wait in `pending`; then only those after it are sent.
    let covered: string | null = null;
    const pending: LoggedEvent[] = [];
    const unsubscribe = fanout.subscribe(topic, (event) => {
      if (covered !== null) {
        if (log.compare(event.id, covered) > 0) deliver(event);
        return;
      }
      pending.push(event);
      // A reader stuck in its backlog while the topic races on: the queue must not grow without end.
      if (pending.length > config.historyLimit) stream.dropSlowConsumer();
    }, () => {
      // The shared log lost events this stream had not delivered: the client resumes with its
      // Last-Event-ID and gets the gap announced (`reset`) by whichever instance it reaches.
      metrics.droppedConnections.inc({ transport: 'sse', reason: 'log_reset' });
      if (res.headersSent) stream.end();
      else stream.destroy();
    });
    streams.add(stream);
    res.once('close', () => {
      unsubscribe();
      release();
      streams.delete(stream);
    });

    // "From now" is the head as it stands when the client gets the headers: read it first, so
    // every event appended after that is in `pending` and after `start`.
    const start = cursor === null ? await log.head(topic) : null;
    stream.open();
    if (endsAtMs !== null) {
      // The client reconnects with its Last-Event-ID and a fresh token, so nothing is lost.
      const cancelExpiry = atTime(endsAtMs, () => {
        metrics.droppedConnections.inc({ transport: 'sse', reason: 'token_expired' });
        stream.end();
      });
      res.once('close', cancelExpiry);
    }
    if (cursor !== null) metrics.reconnects.inc({ transport: 'sse' });
    try {
      const backlog: ReadResult =
        start !== null ? { events: [], cursor: start, reset: false } : await log.read(topic, cursor, BACKLOG_READ_LIMIT);
      if (backlog.reset) stream.push(resetFrame(backlog.resetTo ?? backlog.cursor));
      // A reader without a cursor gets one at once: if it drops before the first event, it
      // resumes from here instead of from "now" again, and loses nothing published meanwhile.
      else if (start !== null) stream.push(cursorFrame(start));
      // A resume backlog can be far larger than MAX_BUFFERED_BYTES: it goes at the reader's pace.
      for (const event of backlog.events) {
        if (!(await stream.pace(eventFrame(event)))) return;
        delivered.inc();
      }
      covered = backlog.cursor;
      for (const event of pending.splice(0)) {
        if (log.compare(event.id, covered) > 0) deliver(event);
      }
    } catch (error) {
      logger.error({ err: error, topic }, 'SSE backlog read failed');
      stream.destroy();
    }
  }

  return {
    handle,
    connectionCount: () => streams.size,
    close() {
      for (const stream of [...streams]) stream.end();
    },
  };
}
