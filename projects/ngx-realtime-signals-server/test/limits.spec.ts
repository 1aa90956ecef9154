import { ConnectionLimiter, HttpRateLimiter, clientIp } from '../src/limits';

describe('ConnectionLimiter', () => {
  it('hands out slots per IP up to the limit and takes each release once', () => {
    const limiter = new ConnectionLimiter(2);
    const first = limiter.tryAcquire('1.1.1.1');
    const second = limiter.tryAcquire('1.1.1.1');
    expect(first && second).toBeTruthy();
    expect(limiter.tryAcquire('1.1.1.1')).toBeNull();
    expect(limiter.tryAcquire('2.2.2.2')).not.toBeNull();
    first!();
    first!();
    expect(limiter.count('1.1.1.1')).toBe(1);
    expect(limiter.tryAcquire('1.1.1.1')).not.toBeNull();
    expect(limiter.tryAcquire('1.1.1.1')).toBeNull();
  });
});

describe('HttpRateLimiter', () => {
  it('allows the limit per window and tells when to retry', () => {
    let now = 10_000;
    const rate = new HttpRateLimiter(2, 60_000, () => now);
    expect(rate.hit('a')).toEqual({ allowed: true });
    expect(rate.hit('a')).toEqual({ allowed: true });
    expect(rate.hit('b')).toEqual({ allowed: true });
    expect(rate.hit('a')).toEqual({ allowed: false, retryAfterSeconds: 50 });
    now = 60_000;
    expect(rate.hit('a')).toEqual({ allowed: true });
  });

  it('is off with a limit of 0', () => {
    const rate = new HttpRateLimiter(0, 1000);
    expect(rate.enabled).toBe(false);
    for (let i = 0; i < 100; i++) expect(rate.hit('a').allowed).toBe(true);
  });
});

describe('clientIp', () => {
  it('folds IPv4-mapped IPv6 addresses to IPv4', () => {
    expect(clientIp({ socket: { remoteAddress: '::ffff:10.0.0.1' } } as never)).toBe('10.0.0.1');
    expect(clientIp({ socket: { remoteAddress: '::1' } } as never)).toBe('::1');
  });
});
