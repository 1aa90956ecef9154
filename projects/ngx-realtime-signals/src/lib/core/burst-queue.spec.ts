import { BurstQueue } from './burst-queue';

/** Animation frames run by hand. */
function manualFrames() {
  let waiting: (() => void)[] = [];
  return {
    next: (fn: () => void) => {
      waiting.push(fn);
      return () => (waiting = waiting.filter((f) => f !== fn));
    },
    run: () => {
      const due = waiting;
      waiting = [];
      for (const fn of due) fn();
    },
    get waiting() {
      return waiting.length;
    },
  };
}

describe('BurstQueue', () => {
  it('hands over what one task pushed as one batch in a microtask', async () => {
    const batches: number[][] = [];
    const queue = new BurstQueue<number>((batch) => batches.push(batch));
    queue.push(1);
    queue.push(2);
    expect(batches).toEqual([]);
    await Promise.resolve();
    expect(batches).toEqual([[1, 2]]);
  });

  it('hands over at most once per animation frame: bursts after the frame’s flush wait for the next frame', async () => {
    const frames = manualFrames();
    const batches: number[][] = [];
    const queue = new BurstQueue<number>((batch) => batches.push(batch), undefined, frames.next);

    queue.push(1);
    await Promise.resolve();
    expect(batches).toEqual([[1]]); // the first burst of a frame goes out at once
    queue.push(2);
    await Promise.resolve();
    queue.push(3);
    await Promise.resolve();
    expect(batches).toEqual([[1]]);

    frames.run();
    expect(batches).toEqual([[1], [2, 3]]);
    frames.run(); // a frame with nothing new
    queue.push(4);
    await Promise.resolve();
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  it('leaves nothing waiting for a frame once disposed', async () => {
    const frames = manualFrames();
    const batches: number[][] = [];
    const queue = new BurstQueue<number>((batch) => batches.push(batch), undefined, frames.next);
    queue.push(1);
    await Promise.resolve();
    queue.push(2);
    expect(frames.waiting).toBe(2);

    queue.dispose();

    expect(frames.waiting).toBe(0);
    expect(batches).toEqual([[1]]);
  });
});
