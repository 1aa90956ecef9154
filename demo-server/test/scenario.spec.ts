import { MemoryEventLog } from 'ngx-realtime-signals-server';
import { ORDER_STEPS, OrderProgress, startScenario } from '../src/scenario';

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('demo scenario', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('publishes a notification on the notifications topic at each interval', async () => {
    const log = new MemoryEventLog({ historyLimit: 100 });
    const scenario = startScenario(log, { notificationEveryMs: 1000, orderStepEveryMs: 60_000, random: seededRandom(1) });

    await jest.advanceTimersByTimeAsync(3000);
    scenario.stop();

    const events = await log.last('notifications', 10);
    expect(events).toHaveLength(3);
    for (const event of events) {
      expect(event.type).toBe('notification');
      expect(event.data).toEqual(expect.objectContaining({ title: expect.any(String), text: expect.any(String) }));
    }
  });

  it('moves every order through the steps in order, one step per event', async () => {
    const log = new MemoryEventLog({ historyLimit: 1000 });
    const scenario = startScenario(log, { notificationEveryMs: 60_000, orderStepEveryMs: 100, random: seededRandom(7) });

    await jest.advanceTimersByTimeAsync(100 * 200);
    scenario.stop();

    const events = await log.last('orders', 1000);
    expect(events).toHaveLength(200);
    const stepsSeen = new Map<string, number[]>();
    for (const event of events) {
      const data = event.data as OrderProgress;
      expect(event.type).toBe(`order.${data.step}`);
      expect(ORDER_STEPS[data.stepIndex]).toBe(data.step);
      stepsSeen.set(data.orderId, [...(stepsSeen.get(data.orderId) ?? []), data.stepIndex]);
    }
    for (const steps of stepsSeen.values()) expect(steps).toEqual(steps.map((_, index) => index));
    const delivered = [...stepsSeen.values()].filter((steps) => steps.length === ORDER_STEPS.length);
    expect(delivered.length).toBeGreaterThan(10);
  });

  it('publishes nothing after stop', async () => {
    const log = new MemoryEventLog({ historyLimit: 100 });
    const scenario = startScenario(log, { notificationEveryMs: 100, orderStepEveryMs: 100 });
    scenario.stop();

    await jest.advanceTimersByTimeAsync(1000);

    expect(await log.last('notifications', 10)).toEqual([]);
    expect(await log.last('orders', 10)).toEqual([]);
  });

  it('keeps at most the configured number of orders in flight', async () => {
    const log = new MemoryEventLog({ historyLimit: 1000 });
    const scenario = startScenario(log, { notificationEveryMs: 60_000, orderStepEveryMs: 10, ordersInFlight: 2, random: seededRandom(3) });

    await jest.advanceTimersByTimeAsync(10 * 300);
    scenario.stop();

    const open = new Set<string>();
    for (const event of await log.last('orders', 1000)) {
      const data = event.data as OrderProgress;
      if (data.stepIndex === 0) open.add(data.orderId);
      expect(open.size).toBeLessThanOrEqual(2);
      if (data.step === 'delivered') open.delete(data.orderId);
    }
  });
});
