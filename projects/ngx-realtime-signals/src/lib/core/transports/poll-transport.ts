import { parseErrorBody, httpError, networkError, realtimeError } from '../errors';
import type { RealtimeEvent } from '../types';
import type { PollRequest, PollResponse } from './realtime-transports';

/**
 * How much longer than the server's hold time the client waits before giving up
 * on a poll: a proxy that silently drops the request must not hang the feed.
 */
export const POLL_ABORT_MARGIN_MS = 10000;

/**
 * One long poll over `fetch` (never HttpClient: a held request would keep the app
 * "unstable"). Sends `cursor`, `timeout` and `limit` as query parameters and
 * aborts on its own `timeoutMs + POLL_ABORT_MARGIN_MS` after the start.
 * Rejects with a `RealtimeError`.
 *
 * @example
 * ```ts
 * const res = await pollOnce(fetch, { url: '/api/poll/news', topic: 'news', cursor: null, timeoutMs: 25000,
 *   limit: 100, headers: {}, signal: controller.signal });
 * ```
 */
export async function pollOnce(fetchImpl: typeof fetch, req: PollRequest): Promise<PollResponse> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (req.signal.aborted) abort();
  req.signal.addEventListener('abort', abort);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort();
  }, req.timeoutMs + POLL_ABORT_MARGIN_MS);
  try {
    const response = await fetchImpl(pollUrl(req), {
      headers: { Accept: 'application/json', ...req.headers },
      signal: controller.signal,
    }).catch((err: unknown) => {
      if (timedOut) throw realtimeError('network', `No answer within ${req.timeoutMs + POLL_ABORT_MARGIN_MS} ms`, true);
      if (req.signal.aborted) throw realtimeError('aborted', 'The poll was cancelled', true);
      throw networkError(err);
    });
    const text = await response.text().catch((err: unknown) => {
      throw timedOut ? realtimeError('network', 'The answer stalled', true) : networkError(err);
    });
    if (response.status !== 200) {
      const body = parseErrorBody(text);
      throw httpError(response.status, body.message ?? `The poll answered HTTP ${response.status}`, body.code);
    }
    return parsePollResponse(text);
  } finally {
    clearTimeout(timer);
    req.signal.removeEventListener('abort', abort);
  }
}

/** The poll URL with its query; `cursor` only when there is one ("from now" otherwise). */
export function pollUrl(req: Pick<PollRequest, 'url' | 'cursor' | 'timeoutMs' | 'limit'>): string {
  const query = new URLSearchParams();
  if (req.cursor) query.set('cursor', req.cursor);
  query.set('timeout', String(Math.max(0, Math.round(req.timeoutMs))));
  query.set('limit', String(req.limit));
  return `${req.url}${req.url.includes('?') ? '&' : '?'}${query.toString()}`;
}

function parsePollResponse(text: string): PollResponse {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw realtimeError('protocol', 'The poll answer is not JSON', true);
  }
  const record = body as { events?: unknown; cursor?: unknown; reset?: unknown };
  if (typeof record !== 'object' || record === null || !Array.isArray(record.events) || typeof record.cursor !== 'string') {
    throw realtimeError('protocol', 'The poll answer lacks events or cursor', true);
  }
  const events = record.events.filter(isEvent);
  return record.reset === true ? { events, cursor: record.cursor, reset: true } : { events, cursor: record.cursor };
}

function isEvent(value: unknown): value is RealtimeEvent {
  const e = value as RealtimeEvent;
  return typeof e === 'object' && e !== null && typeof e.id === 'string' && typeof e.type === 'string';
}
