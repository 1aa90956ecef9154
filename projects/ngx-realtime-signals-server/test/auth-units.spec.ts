import { atTime } from '../src/at-time';
import { bearerToken, challenge, insufficientScopeChallenge } from '../src/auth/bearer-token';
import { AuthFailure, type Identity, assertUnexpired } from '../src/auth/identity';
import { canPublish, canRead } from '../src/auth/topic-access';
import { redactUrl } from '../src/request-log';

const identity = (sub: string, scopes: string[] = []): Identity => ({
  sub,
  expiresAtMs: Date.now() + 60_000,
  scopes: new Set(scopes),
});

describe('bearerToken', () => {
  const query = (text: string): URLSearchParams => new URLSearchParams(text);

  it('reads the Authorization header, whatever the case of the scheme', () => {
    expect(bearerToken('Bearer abc.def-ghi_jkl', null)).toBe('abc.def-ghi_jkl');
    expect(bearerToken('bearer abc', null)).toBe('abc');
  });

  it('prefers the header over access_token', () => {
    expect(bearerToken('Bearer from-header', query('access_token=from-query'))).toBe('from-header');
  });

  it('reads access_token only where the route allows the query', () => {
    expect(bearerToken(undefined, query('access_token=abc'))).toBe('abc');
    expect(bearerToken(undefined, null)).toBeNull();
    expect(bearerToken(undefined, query('other=1'))).toBeNull();
  });

  it('refuses a header that is not a bearer token, and a repeated access_token', () => {
    expect(() => bearerToken('Basic YWxpY2U6cHc=', null)).toThrow(AuthFailure);
    expect(() => bearerToken('Bearer', null)).toThrow(AuthFailure);
    expect(() => bearerToken('Bearer a b', null)).toThrow(AuthFailure);
    expect(() => bearerToken(undefined, query('access_token=a&access_token=b'))).toThrow(AuthFailure);
  });
});

describe('challenge', () => {
  it('sends the bare challenge without a token and invalid_token with one, quotes removed', () => {
    expect(challenge(new AuthFailure('unauthorized', 'missing', 'x'))).toBe('Bearer realm="realtime"');
    expect(challenge(new AuthFailure('token_expired', 'expired', 'say "hi"'))).toBe(
      'Bearer realm="realtime", error="invalid_token", error_description="say hi"',
    );
    expect(insufficientScopeChallenge()).toBe('Bearer realm="realtime", error="insufficient_scope"');
  });

  it('names the realm it is given', () => {
    expect(challenge(new AuthFailure('unauthorized', 'missing', 'x'), 'orders')).toBe('Bearer realm="orders"');
    expect(insufficientScopeChallenge('orders')).toBe('Bearer realm="orders", error="insufficient_scope"');
  });
});

describe('assertUnexpired', () => {
  it('refuses a token whose exp has passed by the server clock', () => {
    const stale = { ...identity('a'), expiresAtMs: 1000 };
    expect(() => assertUnexpired(stale, 1000)).toThrow(expect.objectContaining({ code: 'token_expired' }));
    expect(() => assertUnexpired(stale, 999)).not.toThrow();
  });
});

describe('topic access', () => {
  it('lets everyone read and publish everything when auth is off', () => {
    expect(canRead(null, 'user:bob')).toBe(true);
    expect(canPublish(null, 'user:bob')).toBe(true);
  });

  it('lets only the owner read a user topic, and anyone read the rest', () => {
    expect(canRead(identity('alice'), 'user:alice')).toBe(true);
    expect(canRead(identity('alice'), 'user:bob')).toBe(false);
    expect(canRead(identity('alice'), 'user:alice2')).toBe(false);
    expect(canRead(identity('alice', ['publish']), 'user:bob')).toBe(false);
    expect(canRead(identity('alice'), 'orders')).toBe(true);
    expect(canRead(identity('alice'), 'chat:lobby')).toBe(true);
  });

  it('lets a plain token publish to its own user topic only, and the publish scope anywhere', () => {
    expect(canPublish(identity('alice'), 'user:alice')).toBe(true);
    expect(canPublish(identity('alice'), 'user:bob')).toBe(false);
    expect(canPublish(identity('alice'), 'orders')).toBe(false);
    expect(canPublish(identity('svc', ['publish']), 'user:bob')).toBe(true);
    expect(canPublish(identity('svc', ['publish']), 'orders')).toBe(true);
  });
});

describe('redactUrl', () => {
  it('hides access_token and keeps the rest', () => {
    const url = redactUrl('/api/events/a?lastEventId=x-1&access_token=eyJhbGciOi.secret.sig');
    expect(url).not.toContain('secret');
    expect(url).toBe('/api/events/a?lastEventId=x-1&access_token=%5Bredacted%5D');
  });

  it('hides it under a percent-encoded name too', () => {
    expect(redactUrl('/api/poll/a?access%5Ftoken=secret')).not.toContain('secret');
  });

  it('leaves URLs without a token as they are', () => {
    expect(redactUrl('/api/poll/a?cursor=x-1&timeout=0')).toBe('/api/poll/a?cursor=x-1&timeout=0');
    expect(redactUrl('/api/health')).toBe('/api/health');
  });
});

describe('atTime', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('fires at the given time and not before', () => {
    const fire = jest.fn();
    atTime(5000, fire);
    jest.advanceTimersByTime(4999);
    expect(fire).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('waits out a time beyond setTimeout’s 24.8-day limit instead of firing at once', () => {
    const fire = jest.fn();
    const thirtyDays = 30 * 24 * 3600 * 1000;
    atTime(thirtyDays, fire);
    jest.advanceTimersByTime(thirtyDays - 1);
    expect(fire).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('fires at once for a time already past, and never after cancel', () => {
    const past = jest.fn();
    atTime(-10, past);
    jest.advanceTimersByTime(0);
    expect(past).toHaveBeenCalledTimes(1);
    const cancelled = jest.fn();
    atTime(100, cancelled)();
    jest.advanceTimersByTime(1000);
    expect(cancelled).not.toHaveBeenCalled();
  });
});
