import { ConfigError, loadConfig } from '../src/config';
import { createTokenVerifier } from '../../projects/ngx-realtime-signals-server/src/auth/token-verifier';
import { mintToken } from 'ngx-realtime-signals-server';

const SECRET = 'a'.repeat(32);

describe('auth settings', () => {
  it('leaves auth off by default', () => {
    const config = loadConfig({});
    expect(config.authSecret).toBeNull();
    expect(config.authIssuer).toBeNull();
    expect(config.authAudience).toBeNull();
    expect(config.authClockToleranceS).toBe(5);
    expect(createTokenVerifier(config)).toBeNull();
  });

  it('takes a secret of at least 32 bytes, byte for byte', () => {
    expect(loadConfig({ AUTH_SECRET: SECRET }).authSecret).toBe(SECRET);
    expect(loadConfig({ AUTH_SECRET: ` ${SECRET} ` }).authSecret).toBe(` ${SECRET} `);
    // 11 three-byte characters: 33 bytes although only 11 characters.
    expect(loadConfig({ AUTH_SECRET: '€'.repeat(11) }).authSecret).toBe('€'.repeat(11));
  });

  it('refuses a short secret, naming the variable but not the value', () => {
    const attempt = (): unknown => loadConfig({ AUTH_SECRET: 'short-secret' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/AUTH_SECRET must be at least 32 bytes/);
    expect(attempt).not.toThrow(/short-secret/);
  });

  it('refuses an issuer or audience without a secret, which would look like auth while everything is open', () => {
    expect(() => loadConfig({ AUTH_ISSUER: 'https://issuer.test' })).toThrow(/AUTH_ISSUER is set but AUTH_SECRET is not/);
    expect(() => loadConfig({ AUTH_AUDIENCE: 'demo' })).toThrow(/AUTH_AUDIENCE is set but AUTH_SECRET is not/);
  });

  it('bounds the clock tolerance', () => {
    expect(loadConfig({ AUTH_CLOCK_TOLERANCE_S: '0' }).authClockToleranceS).toBe(0);
    expect(() => loadConfig({ AUTH_CLOCK_TOLERANCE_S: '301' })).toThrow(/AUTH_CLOCK_TOLERANCE_S/);
    expect(() => loadConfig({ AUTH_CLOCK_TOLERANCE_S: '-1' })).toThrow(/AUTH_CLOCK_TOLERANCE_S/);
  });
});

describe('token verifier', () => {
  const verifier = createTokenVerifier(loadConfig({ AUTH_SECRET: SECRET }))!;

  it('gives the sub, exp and scopes of a minted token', async () => {
    const before = Date.now();
    const identity = await verifier.verify(await mintToken({ secret: SECRET, sub: 'alice', ttlS: 60, scope: 'publish read' }));
    expect(identity.sub).toBe('alice');
    expect([...identity.scopes].sort()).toEqual(['publish', 'read']);
    expect(identity.expiresAtMs).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 60_000);
    expect(identity.expiresAtMs).toBeLessThanOrEqual(before + 61_000);
  });

  it('refuses a sub that is empty, too long or has control characters', async () => {
    for (const sub of ['', 'x'.repeat(129), 'ali\nce']) {
      await expect(verifier.verify(await mintToken({ secret: SECRET, sub }))).rejects.toMatchObject({ code: 'unauthorized' });
    }
  });

  it('refuses an absurdly long token without parsing it', async () => {
    await expect(verifier.verify('a'.repeat(9000))).rejects.toMatchObject({ code: 'unauthorized', reason: 'invalid' });
  });

  it('calls a missing token missing', async () => {
    await expect(verifier.verify(null)).rejects.toMatchObject({ code: 'unauthorized', reason: 'missing' });
  });
});
