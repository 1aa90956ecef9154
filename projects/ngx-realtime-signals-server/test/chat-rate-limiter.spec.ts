import { FrameRateLimiter } from '../src/transports/chat/rate-limiter';

describe('FrameRateLimiter', () => {
  it('allows limit frames per window and refuses the next', () => {
    let now = 1000;
    const limiter = new FrameRateLimiter(3, 500, () => now);
    expect([limiter.allow(), limiter.allow(), limiter.allow()]).toEqual([true, true, true]);
    expect(limiter.allow()).toBe(false);
    now += 499;
    expect(limiter.allow()).toBe(false);
  });

  it('starts counting again in the next window', () => {
    let now = 0;
    const limiter = new FrameRateLimiter(2, 500, () => now);
    limiter.allow();
    limiter.allow();
    expect(limiter.allow()).toBe(false);
    now = 500;
    expect(limiter.allow()).toBe(true);
    expect(limiter.allow()).toBe(true);
    expect(limiter.allow()).toBe(false);
  });
});
