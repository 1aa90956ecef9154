import type { LoggedEvent } from './log/event-log.js';

/**
 * SSE framing (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 * A field value must never hold CR or LF: one would end the field and let the
 * rest be read as a new field (an injected `id:` or `event:`). Ids and types
 * are validated at the door; these functions check again, because a broken
 * frame corrupts every later event on the stream.
 */

function singleLine(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new RangeError(`SSE ${name} must be a single line`);
  return value;
}

// One serialisation per event however many streams carry it.
const frames = new WeakMap<LoggedEvent, string>();

/**
 * `id:` / `event:` / `data:` (the whole event as one-line JSON) and the blank line.
 *
 * @example
 * res.write(eventFrame(event));
 */
export function eventFrame(event: LoggedEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame =
      `id: ${singleLine('id', event.id)}\n` +
      `event: ${singleLine('event', event.type)}\n` +
      // JSON.stringify escapes CR and LF inside strings, so the JSON is always one line.
      `data: ${JSON.stringify(event)}\n\n`;
    if (Object.isFrozen(event)) frames.set(event, frame);
  }
  return frame;
}

/** Sets the client's reconnection delay. */
export function retryFrame(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new RangeError('SSE retry must be a non-negative integer');
  return `retry: ${ms}\n\n`;
}

/** A comment line: ignored by clients, keeps proxies and idle timers from closing the stream. */
export function commentFrame(text: string): string {
  return `: ${singleLine('comment', text)}\n\n`;
}

/** The gap notice: the client's cursor fell out of history; live events continue after `head`. */
export function resetFrame(head: string): string {
  return (
    `id: ${singleLine('id', head)}\n` +
    'event: reset\n' +
    `data: ${JSON.stringify({ reason: 'history_evicted', cursor: head })}\n\n`
  );
}

/**
 * The starting position of a reader that came without a resume id. A named
 * event, so `onmessage` listeners of a native `EventSource` never see it, while
 * its `id:` still becomes the `Last-Event-ID` of the next reconnect.
 *
 * @example
 * res.write(cursorFrame(head));
 */
export function cursorFrame(head: string): string {
  return `id: ${singleLine('id', head)}\nevent: cursor\ndata: ${JSON.stringify({ cursor: head })}\n\n`;
}
