import type { EventLog, Logger } from 'ngx-realtime-signals-server';

/** Topic names the demo app listens to. */
export const SCENARIO_TOPICS = { notifications: 'notifications', orders: 'orders' } as const;

/** The steps every simulated order walks through, in order. */
export const ORDER_STEPS = ['placed', 'paid', 'packed', 'shipped', 'delivered'] as const;
export type OrderStep = (typeof ORDER_STEPS)[number];

/** `data` of an `order.<step>` event on the orders topic. */
export interface OrderProgress {
  orderId: string;
  item: string;
  step: OrderStep;
  stepIndex: number;
  steps: number;
  text: string;
}

/** `data` of a `notification` event on the notifications topic. */
export interface ScenarioNotification {
  title: string;
  text: string;
  level: 'info' | 'success' | 'warning';
}

export interface ScenarioOptions {
  /** Time between two scenario notifications (ms). */
  notificationEveryMs?: number;
  /** Time between two order progress steps (ms). */
  orderStepEveryMs?: number;
  /** At most this many orders in flight at once. */
  ordersInFlight?: number;
  /** Source of randomness, injectable so tests are repeatable. */
  random?: () => number;
  logger?: Pick<Logger, 'warn'>;
}

export interface Scenario {
  stop(): void;
}

const NOTIFICATIONS: readonly ScenarioNotification[] = [
  { title: 'Deploy finished', text: 'Build #{n} is live on production.', level: 'success' },
  { title: 'New follower', text: 'Your project now has {n} followers.', level: 'info' },
  { title: 'Disk space', text: 'Volume data-{n} is 85% full.', level: 'warning' },
  { title: 'Review', text: 'A reviewer commented on pull request #{n}.', level: 'info' },
  { title: 'Payment received', text: 'Invoice {n} was paid.', level: 'success' },
];

const ITEMS: readonly string[] = ['espresso machine', 'trail shoes', 'desk lamp', 'mechanical keyboard', 'tea sampler', 'backpack'];

interface OrderInFlight {
  id: string;
  item: string;
  stepIndex: number;
}

/**
 * Makes the demo feel alive: a notification every few seconds on `notifications`,
 * and orders that advance through placed → delivered on `orders`. Writes straight
 * into the event log, so every transport delivers the events like any other.
 * Timers are unref'd: the scenario never keeps the process alive.
 *
 * @example
 * const scenario = startScenario(server.log, { logger });
 * // on shutdown
 * scenario.stop();
 */
export function startScenario(log: Pick<EventLog, 'append'>, options: ScenarioOptions = {}): Scenario {
  const random = options.random ?? Math.random;
  const inFlightLimit = options.ordersInFlight ?? 3;
  const orders: OrderInFlight[] = [];
  let orderCount = 1000;

  const append = (topic: string, type: string, data: unknown): void => {
    log.append(topic, type, data).catch((error: unknown) => options.logger?.warn({ err: error, topic }, 'scenario append failed'));
  };

  const publishNotification = (): void => {
    const template = NOTIFICATIONS[Math.floor(random() * NOTIFICATIONS.length) % NOTIFICATIONS.length];
    const n = String(100 + Math.floor(random() * 900));
    append(SCENARIO_TOPICS.notifications, 'notification', { ...template, text: template.text.replace('{n}', n) });
  };

  const advanceOrders = (): void => {
    if (orders.length < inFlightLimit && (orders.length === 0 || random() < 0.5)) {
      orderCount += 1;
      orders.push({ id: `A-${orderCount}`, item: ITEMS[Math.floor(random() * ITEMS.length) % ITEMS.length], stepIndex: -1 });
    }
    const order = orders[Math.floor(random() * orders.length) % orders.length];
    order.stepIndex += 1;
    const step = ORDER_STEPS[order.stepIndex];
    const progress: OrderProgress = {
      orderId: order.id, item: order.item, step, stepIndex: order.stepIndex, steps: ORDER_STEPS.length,
      text: `Order ${order.id} (${order.item}) ${step}`,
    };
    append(SCENARIO_TOPICS.orders, `order.${step}`, progress);
    if (order.stepIndex === ORDER_STEPS.length - 1) orders.splice(orders.indexOf(order), 1);
  };

  const timers = [
    setInterval(publishNotification, options.notificationEveryMs ?? 15_000),
    setInterval(advanceOrders, options.orderStepEveryMs ?? 3_000),
  ];
  for (const timer of timers) timer.unref();

  return {
    stop: () => {
      for (const timer of timers) clearInterval(timer);
    },
  };
}
