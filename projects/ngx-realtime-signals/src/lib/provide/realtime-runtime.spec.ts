import { TestBed } from '@angular/core/testing';
import { provideRealtimeTesting } from 'ngx-realtime-signals/testing';
import { provideRealtime } from './provide-realtime';
import { injectRealtimeRuntime } from './realtime-runtime';

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

function queueUnder(providers: unknown[]) {
  TestBed.configureTestingModule({ providers: providers as never[] });
  const batches: number[][] = [];
  const queue = TestBed.runInInjectionContext(() => injectRealtimeRuntime()).burstQueue<number>((batch) => batches.push(batch));
  return { queue, batches };
}

describe('injectRealtimeRuntime().burstQueue', () => {
  it('in a page, hands bursts to the app at most once per animation frame', async () => {
    const { queue, batches } = queueUnder([provideRealtime()]);
    queue.push(1);
    await Promise.resolve();
    queue.push(2); // a WebSocket message in a task of its own, within the same frame
    await Promise.resolve();
    queue.push(3);
    await Promise.resolve();
    expect(batches).toEqual([[1]]);

    await nextFrame();

    expect(batches).toEqual([[1], [2, 3]]);
    queue.dispose();
  });

  it('under provideRealtimeTesting, hands every burst over after a microtask', async () => {
    const { queue, batches } = queueUnder([provideRealtimeTesting()]);
    queue.push(1);
    await Promise.resolve();
    queue.push(2);
    await Promise.resolve();
    expect(batches).toEqual([[1], [2]]);
    queue.dispose();
  });
});
