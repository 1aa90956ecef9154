import { isRealtimeError, networkError } from '../errors';
import type { PollRequest, PollResponse, StreamSink } from './realtime-transports';

export interface PollStreamRequest {
  url: string;
  topic: string;
  cursor: string | null;
  headers: Record<string, string>;
  /** How long each poll may be held. */
  holdMs: number;
  limit: number;
}

/**
 * A topic's events by long polling, reported like an SSE stream: the first poll
 * asks not to be held (timeout 0), so its answer, the cursor notice of long
 * polling, comes at once; each later poll is held up to `holdMs`. Every answer is
 * `activity`; a gap is `reset` then the retained events; the answer's cursor is
 * `position`. Returns the teardown.
 *
 * @example
 * ```ts
 * const stop = openPollStream((req) => transports.poll(req),
 *   { url: '/api/poll/news', topic: 'news', cursor: null, headers: {}, holdMs: 25000, limit: 100 }, sink);
 * ```
 */
export function openPollStream(poll: (req: PollRequest) => Promise<PollResponse>, req: PollStreamRequest, sink: StreamSink): () => void {
  const controller = new AbortController();
  let done = false;
  let cursor = req.cursor;
  let first = true;
  const loop = async (): Promise<void> => {
    while (!done) {
      let response: PollResponse;
      try {
        response = await poll({
          url: req.url,
          topic: req.topic,
          cursor,
          timeoutMs: first ? 0 : req.holdMs,
          limit: req.limit,
          headers: req.headers,
          signal: controller.signal,
        });
      } catch (error) {
        if (done) return;
        done = true;
        sink.closed(isRealtimeError(error) ? error : networkError(error));
        return;
      }
      if (done) return;
      if (first) {
        first = false;
        sink.opened();
      }
      sink.activity();
      if (response.reset) sink.reset(response.cursor);
      for (const event of response.events) {
        if (done) return;
        sink.event(event);
      }
      if (done) return;
      sink.position(response.cursor);
      cursor = response.cursor;
    }
  };
  void loop();
  return () => {
    done = true;
    controller.abort();
  };
}
