import type { RealtimeEvent } from '../types';

/**
 * One Server-Sent Events message as it came off the wire, before it becomes an event.
 * `id` is the message's own `id:` field (undefined when it had none; an empty
 * field is `''`), `event` its `event:` field or `message`.
 *
 * @example
 * ```ts
 * const message: SseMessage = { id: '7', event: 'order', data: '{"orderId":7}' };
 * ```
 */
export interface SseMessage {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/**
 * How a stream's `data` becomes `RealtimeEvent.data`.
 *
 * - omitted (the default): this library's protocol when the server speaks it (the
 *   whole event as JSON in `data`, `reset` and `cursor` frames); any other `data` is
 *   JSON when it parses as JSON, else the raw text.
 * - `'json'`: a plain SSE stream whose every `data` is JSON; one that is not fails
 *   the stream with `parse_failed`. No envelope, no reserved event names.
 * - `'text'`: a plain SSE stream; `data` is the raw text.
 * - a function: a plain SSE stream; `data` is what it returns for each message.
 *   If it throws, the stream fails with `parse_failed` (return a fallback value to keep going).
 *
 * @example
 * ```ts
 * const parse: SseParse<Order> = (m) => ({ ...JSON.parse(m.data), kind: m.event });
 * notes.connect('orders', { url: '/stream/orders', parse });
 * ```
 */
export type SseParse<T = unknown> = 'json' | 'text' | ((message: SseMessage) => T);

/** What one message means to the reader. */
export type SseFrame =
  | { readonly kind: 'event'; readonly event: RealtimeEvent }
  | { readonly kind: 'reset'; readonly cursor: string }
  | { readonly kind: 'position'; readonly cursor: string }
  | { readonly kind: 'invalid'; readonly message: string };

/**
 * Reads one message of `topic`'s stream with `parse`. `lastEventId` is the
 * stream's last event id so far (the `id:` of an earlier message when this one
 * has none), used only for the protocol's `reset` and `cursor` frames.
 *
 * An event built from a message without an `id:` (or with an empty one) has
 * `id: ''`: the server gave it no identity, so it cannot be deduplicated or
 * resumed after; the service gives it a local id. Null: nothing to report.
 *
 * @example
 * ```ts
 * readSseMessage({ id: undefined, event: 'message', data: '{"text":"hi"}' }, 'news', '', undefined);
 * // { kind: 'event', event: { id: '', topic: 'news', type: 'message', data: { text: 'hi' }, ts: <now> } }
 * ```
 */
export function readSseMessage(message: SseMessage, topic: string, lastEventId: string, parse: SseParse | undefined): SseFrame | null {
  if (parse === undefined) {
    if (message.event === 'reset') return { kind: 'reset', cursor: frameCursor(message.data) ?? lastEventId };
    if (message.event === 'cursor') {
      const cursor = frameCursor(message.data) ?? lastEventId;
      // an empty cursor is never a real position: nothing to move to
      return cursor ? { kind: 'position', cursor } : null;
    }
    const parsed = parseJson(message.data);
    const envelope = asEnvelope(parsed, topic);
    if (envelope) return { kind: 'event', event: envelope };
    return plainEvent(message, topic, parsed === NOT_JSON ? message.data : parsed);
  }
  if (parse === 'text') return plainEvent(message, topic, message.data);
  if (parse === 'json') {
    const parsed = parseJson(message.data);
    if (parsed === NOT_JSON) return { kind: 'invalid', message: `${describe(message)} is not JSON: ${preview(message.data)}` };
    return plainEvent(message, topic, parsed);
  }
  try {
    return plainEvent(message, topic, parse(message));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { kind: 'invalid', message: `The parse function threw for ${describe(message)}: ${reason}` };
  }
}

function plainEvent(message: SseMessage, topic: string, data: unknown): SseFrame {
  return { kind: 'event', event: { id: message.id ?? '', topic, type: message.event, data, ts: Date.now() } };
}

function asEnvelope(parsed: unknown, topic: string): RealtimeEvent | null {
  if (!isRecord(parsed) || typeof parsed['id'] !== 'string' || typeof parsed['type'] !== 'string' || !('data' in parsed)) {
    return null;
  }
  return {
    id: parsed['id'],
    topic: typeof parsed['topic'] === 'string' ? parsed['topic'] : topic,
    type: parsed['type'],
    data: parsed['data'],
    ts: typeof parsed['ts'] === 'number' ? parsed['ts'] : Date.now(),
  };
}

function frameCursor(data: string): string | null {
  const parsed = parseJson(data);
  return isRecord(parsed) && typeof parsed['cursor'] === 'string' && parsed['cursor'] !== '' ? parsed['cursor'] : null;
}

const NOT_JSON: unique symbol = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(message: SseMessage): string {
  return `the '${message.event}' event${message.id ? ` with id '${message.id}'` : ''}`;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
