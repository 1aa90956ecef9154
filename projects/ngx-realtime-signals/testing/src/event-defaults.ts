import type { RealtimeEvent } from 'ngx-realtime-signals';

/**
 * The parts of an event a test cares about; the rest is filled in
 * (`id` e1, e2, ..., `topic` of the connection, `type` 'message', `data` null, `ts` now).
 *
 * @example
 * ```ts
 * const init: TestEventInit<{ text: string }> = { type: 'alert', data: { text: 'Disk full' } };
 * stream.event(init);
 * ```
 */
export type TestEventInit<T = unknown> = Partial<RealtimeEvent<T>>;

/** Hands out event ids that are unique within one test (`e1`, `e2`, ...). */
export class EventIds {
  private last = 0;

  next(): string {
    this.last += 1;
    return `e${this.last}`;
  }
}

/**
 * A complete event from the given parts: `id` from `ids`, `topic` from the connection,
 * `type` 'message', `data` null and `ts` the current (possibly fake) time.
 */
export function completeEvent<T>(init: TestEventInit<T>, topic: string, ids: EventIds): RealtimeEvent<T> {
  return {
    id: init.id ?? ids.next(),
    topic: init.topic ?? topic,
    type: init.type ?? 'message',
    data: (init.data ?? null) as T,
    ts: init.ts ?? Date.now(),
  };
}
