import type { RealtimeEvent } from 'ngx-realtime-signals';

/** `data` of an `order.<step>` event, as demo-server's scenario publishes it. */
export interface OrderProgress {
  orderId: string;
  item?: string;
  step: string;
  stepIndex: number;
  steps: number;
  text?: string;
}

/** One row of the order board: where an order stands now. */
export interface OrderRow {
  orderId: string;
  item: string;
  step: string;
  done: number;
  steps: number;
  updatedAt: number;
}

export function isOrderProgress(data: unknown): data is OrderProgress {
  const candidate = data as Partial<OrderProgress> | null;
  return typeof candidate?.orderId === 'string' && typeof candidate.step === 'string'
    && typeof candidate.stepIndex === 'number' && typeof candidate.steps === 'number';
}

/** Folds the feed into the latest state of each order, most recently updated first. */
export function orderBoard(events: readonly RealtimeEvent<unknown>[]): OrderRow[] {
  const rows = new Map<string, OrderRow>();
  for (const event of events) {
    if (!isOrderProgress(event.data)) continue;
    const { orderId, item, step, stepIndex, steps } = event.data;
    rows.set(orderId, { orderId, item: item ?? '', step, done: stepIndex + 1, steps, updatedAt: event.ts });
  }
  return [...rows.values()].sort((a, b) => b.updatedAt - a.updatedAt);
}

/** The feed line of an order event. */
export function orderLine(event: RealtimeEvent<unknown>): string {
  if (!isOrderProgress(event.data)) return JSON.stringify(event.data);
  const { orderId, item, step, stepIndex, steps } = event.data;
  return `${orderId}${item ? ` (${item})` : ''}: ${step} — step ${stepIndex + 1} of ${steps}`;
}
