import type { RealtimeEvent } from 'ngx-realtime-signals';

/** Turns an event into the one line of text a component shows for it. */
export type EventTextFormat = (event: RealtimeEvent<unknown>) => string;

const TEXT_FIELDS = ['text', 'title', 'message', 'body'] as const;
const MAX_FALLBACK_LENGTH = 200;

/**
 * The default {@link EventTextFormat}: a string payload as is, else the first of
 * `text`, `title`, `message`, `body` that is a string, else the payload as JSON.
 *
 * @example
 * eventText({ id: '1', topic: 't', type: 'note', data: { text: 'Hello' }, ts: 0 }); // 'Hello'
 */
export const eventText: EventTextFormat = (event) => {
  const data = event.data;
  if (typeof data === 'string') return data;
  if (data !== null && typeof data === 'object') {
    const record = data as Record<string, unknown>;
    for (const field of TEXT_FIELDS) {
      if (typeof record[field] === 'string') return record[field] as string;
    }
  }
  if (data === undefined) return event.type;
  const json = JSON.stringify(data) ?? String(data);
  return json.length > MAX_FALLBACK_LENGTH ? `${json.slice(0, MAX_FALLBACK_LENGTH - 1)}…` : json;
};
