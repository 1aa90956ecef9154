import type { Request, Response } from 'express';
import { ApiError } from '../errors';
import { clientIp } from '../limits';
import type { LoggedEvent } from '../log/event-log';
import { cursorParam, topicParam } from '../request-params';
import { commentFrame, eventFrame, resetFrame, retryFrame } from '../sse-frame';
import type { TransportDeps } from './transport-deps';

export interface SseTransport {
  /** GET /api/events/:topic */
  handle(req: Request, res: Response): Promise<void>;
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
 * app.get('/api/events/:topic', (req, res) => sse.handle(req, res));
 */
export function createSseTransport(deps: TransportDeps): SseTransport {
  const { log, config, metrics, logger } = deps;
  const streams = new Set<Response>();

  async function handle(req: Request, res: Response): Promise<void> {
    const topic = topicParam(req.params['topic']);
    // The header wins over the query (browsers send the header on their own reconnects); empty counts as absent.
    const header = req.get('last-event-id');
    const cursor = cursorParam(header !== undefined && header !== '' ? header : req.query['lastEventId'], log);
    const release = deps.connections.tryAcquire(clientIp(req));
    if (!release) throw new ApiError('too_many_connections');

    // Subscribe before the headers go out: every event appended once the client has the headers is delivered.
    let covered: string | null = null;
    const pending: LoggedEvent[] = [];
    const unsubscribe = log.subscribe(topic, (event) => {
      if (covered === null) pending.push(event);
      else if (log.compare(event.id, covered) > 0) send(eventFrame(event), true);
    });
    let heartbeat: NodeJS.Timeout | undefined;
    let closed = false;
    const cleanUp = (): void => {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
      release();
      streams.delete(res);
    };
    res.once('close', cleanUp);
    streams.add(res);

    function send(frame: string, isEvent: boolean): void {
      if (closed || res.writableEnded || res.destroyed) return;
      res.write(frame);
      if (isEvent) metrics.eventsDelivered.inc({ transport: 'sse' });
      // A consumer that does not read would make us buffer without end; drop it, it resumes from its cursor.
      if (res.writableLength > config.maxBufferedBytes) {
        metrics.droppedConnections.inc({ transport: 'sse', reason: 'slow_consumer' });
        logger.debug({ topic, buffered: res.writableLength }, 'dropping slow SSE consumer');
        cleanUp();
        res.destroy();
      }
    }

    if (req.method === 'HEAD') {
      cleanUp();
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform' });
      res.end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    req.socket.setNoDelay(true);
    send(retryFrame(config.sseRetryMs), false);
    heartbeat = setInterval(() => send(commentFrame('ping'), false), config.sseHeartbeatMs);

    if (cursor !== null) metrics.reconnects.inc({ transport: 'sse' });
    try {
      const backlog = await log.read(topic, cursor, BACKLOG_READ_LIMIT);
      if (backlog.reset) send(resetFrame(backlog.cursor), false);
      // A resume backlog can be far larger than MAX_BUFFERED_BYTES: pace it by the client's reading speed
      // instead of treating it as a slow consumer. Live events wait in `pending` meanwhile.
      for (const event of backlog.events) {
        if (closed) return;
        if (!res.write(eventFrame(event))) await drained(res);
        metrics.eventsDelivered.inc({ transport: 'sse' });
      }
      if (closed) return;
      covered = backlog.cursor;
      for (const event of pending.splice(0)) {
        if (log.compare(event.id, covered) > 0) send(eventFrame(event), true);
      }
    } catch (error) {
      logger.error({ err: error, topic }, 'SSE backlog read failed');
      cleanUp();
      res.destroy();
    }
  }

  return {
    handle,
    connectionCount: () => streams.size,
    close() {
      for (const res of [...streams]) res.end();
    },
  };
}

/** Resolves when the response can take more data, or when it closes. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
