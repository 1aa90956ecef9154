import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('gives every default for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      listenBacklog: 4096,
      logLevel: 'info',
      bodyLimitBytes: 65536,
      historyLimit: 1000,
      sseHeartbeatMs: 15000,
      sseRetryMs: 2000,
      pollDefaultTimeoutMs: 25000,
      pollMaxTimeoutMs: 60000,
      pollDefaultLimit: 100,
      pollMaxLimit: 1000,
      wsMaxPayloadBytes: 65536,
      wsHeartbeatMs: 30000,
      chatJoinHistory: 50,
      chatMemberListLimit: 100,
      presenceWindowMs: 100,
      chatMaxRoomsPerConnection: 50,
      maxBufferedBytes: 1048576,
      maxConnectionsPerIp: 1024,
      trustProxy: false,
      httpRateLimit: 0,
      httpRateWindowMs: 60000,
      allowedOrigins: null,
      shutdownGraceMs: 5000,
      staticDir: path.resolve('dist/demo/browser'),
      demoScenario: true,
      redisUrl: null,
      redisKeyPrefix: 'rts:',
      redisCommandTimeoutMs: 5000,
      presenceTtlMs: 30000,
    });
    expect(config.wsRateLimit).toBeGreaterThan(0);
    expect(config.wsRateWindowMs).toBeGreaterThan(0);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads values from the environment', () => {
    const config = loadConfig({
      PORT: '0',
      LISTEN_BACKLOG: '128',
      HISTORY_LIMIT: '5',
      LOG_LEVEL: 'silent',
      DEMO_SCENARIO: 'off',
      ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080/ ,*',
    });
    expect(config.port).toBe(0);
    expect(config.listenBacklog).toBe(128);
    expect(config.historyLimit).toBe(5);
    expect(config.logLevel).toBe('silent');
    expect(config.demoScenario).toBe(false);
    expect(config.allowedOrigins).toEqual(['https://a.example', 'http://b.example:8080', '*']);
  });

  it('reads TRUST_PROXY as Express reads trust proxy: off, on, a hop count or proxy addresses', () => {
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: ' loopback, 10.0.0.0/8,::1 ' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', '::1']);
  });

  it('reads the Redis settings', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://user:secret@redis.example:6380/2',
      REDIS_KEY_PREFIX: 'shop-a:',
      REDIS_COMMAND_TIMEOUT_MS: '250',
      PRESENCE_TTL_MS: '5000',
    });
    expect(config).toMatchObject({
      redisUrl: 'rediss://user:secret@redis.example:6380/2',
      redisKeyPrefix: 'shop-a:',
      redisCommandTimeoutMs: 250,
      presenceTtlMs: 5000,
    });
  });

  it.each([
    ['PORT', 'abc', /PORT must be a decimal integer/],
    ['PORT', '70000', /PORT must be between 0 and 65535/],
    ['HISTORY_LIMIT', '0', /HISTORY_LIMIT must be between 1/],
    ['HISTORY_LIMIT', '1e3', /HISTORY_LIMIT must be a decimal integer/],
    ['BODY_LIMIT_BYTES', '-5', /BODY_LIMIT_BYTES must be a decimal integer/],
    ['MAX_BUFFERED_BYTES', '1.5', /MAX_BUFFERED_BYTES must be a decimal integer/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['DEMO_SCENARIO', 'maybe', /DEMO_SCENARIO must be one of/],
    ['ALLOWED_ORIGINS', 'example.com', /ALLOWED_ORIGINS entries must be/],
    ['ALLOWED_ORIGINS', 'https://a.example/path', /ALLOWED_ORIGINS entries must be bare origins/],
    ['POLL_DEFAULT_TIMEOUT_MS', '70000', /POLL_DEFAULT_TIMEOUT_MS \(70000\) must not exceed POLL_MAX_TIMEOUT_MS/],
    ['POLL_DEFAULT_LIMIT', '5000', /POLL_DEFAULT_LIMIT \(5000\) must not exceed POLL_MAX_LIMIT/],
    ['TRUST_PROXY', 'haproxy', /TRUST_PROXY must be true, false, a hop count or comma-separated proxy addresses .*got "haproxy"/],
    ['TRUST_PROXY', 'loopback,10.0.0.0/33', /TRUST_PROXY .*got "10.0.0.0\/33"/],
    ['TRUST_PROXY', '5000', /TRUST_PROXY must be between 0 and 1000/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL must start with redis:\/\/ or rediss:\/\//],
    ['REDIS_URL', 'not a url', /REDIS_URL must be a URL like redis:\/\/127.0.0.1:6379/],
    ['REDIS_URL', 'http://127.0.0.1:6379', /REDIS_URL must start with redis:\/\//],
    ['REDIS_KEY_PREFIX', 'a b', /REDIS_KEY_PREFIX must be 1..64 characters/],
    ['REDIS_COMMAND_TIMEOUT_MS', '5', /REDIS_COMMAND_TIMEOUT_MS must be between 10/],
    ['PRESENCE_TTL_MS', '50', /PRESENCE_TTL_MS must be between 100/],
    ['LISTEN_BACKLOG', '0', /LISTEN_BACKLOG must be between 1 and 65535, got 0/],
    ['LISTEN_BACKLOG', 'lots', /LISTEN_BACKLOG must be a decimal integer between 1 and 65535/],
  ])('rejects %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
