import net from 'node:net';
import path from 'node:path';
import type { RealtimeOptions, RealtimeSettings } from 'ngx-realtime-signals-server';

/**
 * Every limit of demo-server is an environment setting with a default, read and
 * validated once at start-up, so a typo fails loudly instead of running with a
 * surprising value. `loadConfig({})` gives all defaults. The settings the server
 * package takes keep their meaning and documentation there; the rest are the app's own.
 */
export interface Config extends Omit<RealtimeSettings, 'basePath' | 'authRealm' | 'publishEndpoint'> {
  readonly port: number;
  readonly host: string;
  /**
   * Connections the kernel may queue before the server accepts them (`listen()` backlog; the kernel
   * caps it at net.core.somaxconn). Node's default of 511 overflowed when 10,000 long-poll clients
   * connected at once: dropped handshakes, 40 s connects, resets.
   */
  readonly listenBacklog: number;
  readonly logLevel: LogLevel;
  /** Absolute path of the built demo app; served at `/` when the folder exists. */
  readonly staticDir: string;
  readonly demoScenario: boolean;
  /** `redis://` or `rediss://` URL: keep the log in Redis Streams and fan out across instances; null = in memory. */
  readonly redisUrl: string | null;
  /** Prefix of every Redis key; deployments sharing one Redis need different prefixes. */
  readonly redisKeyPrefix: string;
  /** A Redis command slower than this fails (a publish answers 503 log_unavailable). */
  readonly redisCommandTimeoutMs: number;
  /** With Redis: chat presence of an instance expires this long after its last refresh (a crashed instance's users leave). */
  readonly presenceTtlMs: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

const DECIMAL = /^(0|[1-9][0-9]*)$/;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const text = raw.trim();
  if (!DECIMAL.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ConfigError(`${name} must be a decimal integer between ${min} and ${max}, got "${raw}"`);
  }
  const value = Number(text);
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const value = text(env, name, fallback);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const value = oneOf(env, name, fallback ? 'on' : 'off', ['on', 'off', 'true', 'false', '1', '0']);
  return value === 'on' || value === 'true' || value === '1';
}

function origins(env: Env): readonly string[] | null {
  const raw = env['ALLOWED_ORIGINS'];
  if (raw === undefined || raw.trim() === '') return null;
  const list = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of list) {
    if (entry === '*') continue;
    let parsed: URL;
    try {
      parsed = new URL(entry);
    } catch {
      throw new ConfigError(`ALLOWED_ORIGINS entries must be origins like https://example.com or *, got "${entry}"`);
    }
    if (parsed.origin !== entry.replace(/\/$/, '')) {
      throw new ConfigError(
        `ALLOWED_ORIGINS entries must be bare origins (scheme://host[:port]), got "${entry}"`,
      );
    }
  }
  return list.map((entry) => (entry === '*' ? entry : new URL(entry).origin));
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Whether `entry` is an address, a subnet in CIDR notation or a named range, as Express's `trust proxy` takes them. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = net.isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return DECIMAL.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY, as Express's `trust proxy`: unset or `false` trusts no proxy (the socket's peer is
 * the client), `true` every one, a number the n nearest hops, otherwise comma-separated proxy
 * addresses or subnets (`127.0.0.1`, `10.0.0.0/8`, `loopback`, `linklocal`, `uniquelocal`).
 */
function trustProxy(env: Env): boolean | number | readonly string[] {
  const raw = text(env, 'TRUST_PROXY', 'false');
  if (raw === 'false' || raw === 'off') return false;
  if (raw === 'true' || raw === 'on') return true;
  if (DECIMAL.test(raw)) return integer(env, 'TRUST_PROXY', 0, 0, 1000);
  const list = raw.split(',').map((entry) => entry.trim());
  for (const entry of list) {
    if (!isProxyAddress(entry)) {
      throw new ConfigError(
        `TRUST_PROXY must be true, false, a hop count or comma-separated proxy addresses (like "loopback,10.0.0.0/8"), got "${entry}" in "${raw}"`,
      );
    }
  }
  return list;
}

/** HS256 keys shorter than the hash output (256 bits) weaken the MAC; RFC 7518 section 3.2 forbids them. */
const MIN_AUTH_SECRET_BYTES = 32;

interface AuthSettings {
  authSecret: string | null;
  authIssuer: string | null;
  authAudience: string | null;
  authClockToleranceS: number;
}

function auth(env: Env): AuthSettings {
  // The secret is used byte for byte: trimming would silently change the key.
  const raw = env['AUTH_SECRET'];
  const authSecret = raw === undefined || raw === '' ? null : raw;
  const authIssuer = text(env, 'AUTH_ISSUER', '') || null;
  const authAudience = text(env, 'AUTH_AUDIENCE', '') || null;
  const authClockToleranceS = integer(env, 'AUTH_CLOCK_TOLERANCE_S', 5, 0, 300);
  if (authSecret !== null && Buffer.byteLength(authSecret, 'utf8') < MIN_AUTH_SECRET_BYTES) {
    throw new ConfigError(
      `AUTH_SECRET must be at least ${MIN_AUTH_SECRET_BYTES} bytes (e.g. \`openssl rand -base64 48\`), got ${Buffer.byteLength(authSecret, 'utf8')}`,
    );
  }
  // An issuer or audience without a secret looks like auth is on while every route is open.
  if (authSecret === null) {
    for (const name of ['AUTH_ISSUER', 'AUTH_AUDIENCE'] as const) {
      if (text(env, name, '') !== '') throw new ConfigError(`${name} is set but AUTH_SECRET is not; set both or neither`);
    }
  }
  return { authSecret, authIssuer, authAudience, authClockToleranceS };
}

function redis(env: Env): Pick<Config, 'redisUrl' | 'redisKeyPrefix' | 'redisCommandTimeoutMs' | 'presenceTtlMs'> {
  const raw = text(env, 'REDIS_URL', '');
  let redisUrl: string | null = null;
  if (raw !== '') {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError(`REDIS_URL must be a URL like redis://127.0.0.1:6379, got "${raw}"`);
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new ConfigError(`REDIS_URL must start with redis:// or rediss://, got "${raw}"`);
    }
    redisUrl = raw;
  }
  const redisKeyPrefix = text(env, 'REDIS_KEY_PREFIX', 'rts:');
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(redisKeyPrefix)) {
    throw new ConfigError(`REDIS_KEY_PREFIX must be 1..64 characters of [A-Za-z0-9._:-], got "${redisKeyPrefix}"`);
  }
  return {
    redisUrl,
    redisKeyPrefix,
    redisCommandTimeoutMs: integer(env, 'REDIS_COMMAND_TIMEOUT_MS', 5000, 10, 600_000),
    presenceTtlMs: integer(env, 'PRESENCE_TTL_MS', 30_000, 100, 3_600_000),
  };
}

const HOUR_MS = 3_600_000;
const GIB = 1024 * 1024 * 1024;

/**
 * Reads every setting from `env` (default `process.env`) and validates it.
 * Throws ConfigError naming the variable when a value is unusable.
 *
 * @example
 * const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent' });
 */
export function loadConfig(env: Env = process.env): Config {
  const pollMaxTimeoutMs = integer(env, 'POLL_MAX_TIMEOUT_MS', 60_000, 0, HOUR_MS);
  const pollMaxLimit = integer(env, 'POLL_MAX_LIMIT', 1000, 1, 100_000);
  const pollDefaultTimeoutMs = integer(env, 'POLL_DEFAULT_TIMEOUT_MS', Math.min(25_000, pollMaxTimeoutMs), 0, HOUR_MS);
  const pollDefaultLimit = integer(env, 'POLL_DEFAULT_LIMIT', Math.min(100, pollMaxLimit), 1, 100_000);
  if (pollDefaultTimeoutMs > pollMaxTimeoutMs) {
    throw new ConfigError(
      `POLL_DEFAULT_TIMEOUT_MS (${pollDefaultTimeoutMs}) must not exceed POLL_MAX_TIMEOUT_MS (${pollMaxTimeoutMs})`,
    );
  }
  if (pollDefaultLimit > pollMaxLimit) {
    throw new ConfigError(`POLL_DEFAULT_LIMIT (${pollDefaultLimit}) must not exceed POLL_MAX_LIMIT (${pollMaxLimit})`);
  }
  return Object.freeze({
    port: integer(env, 'PORT', 3000, 0, 65_535),
    host: text(env, 'HOST', '0.0.0.0'),
    listenBacklog: integer(env, 'LISTEN_BACKLOG', 4096, 1, 65_535),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 65_536, 1, 16 * 1024 * 1024),
    historyLimit: integer(env, 'HISTORY_LIMIT', 1000, 1, 10_000_000),
    sseHeartbeatMs: integer(env, 'SSE_HEARTBEAT_MS', 15_000, 10, HOUR_MS),
    sseRetryMs: integer(env, 'SSE_RETRY_MS', 2000, 0, HOUR_MS),
    pollDefaultTimeoutMs,
    pollMaxTimeoutMs,
    pollDefaultLimit,
    pollMaxLimit,
    wsMaxPayloadBytes: integer(env, 'WS_MAX_PAYLOAD_BYTES', 65_536, 64, 16 * 1024 * 1024),
    wsHeartbeatMs: integer(env, 'WS_HEARTBEAT_MS', 30_000, 10, HOUR_MS),
    wsRateLimit: integer(env, 'WS_RATE_LIMIT', 200, 1, 1_000_000),
    wsRateWindowMs: integer(env, 'WS_RATE_WINDOW_MS', 10_000, 1, HOUR_MS),
    chatJoinHistory: integer(env, 'CHAT_JOIN_HISTORY', 50, 0, 10_000),
    chatMemberListLimit: integer(env, 'CHAT_MEMBER_LIST_LIMIT', 100, 0, 100_000),
    presenceWindowMs: integer(env, 'PRESENCE_WINDOW_MS', 100, 0, 60_000),
    chatMaxRoomsPerConnection: integer(env, 'CHAT_MAX_ROOMS_PER_CONNECTION', 50, 1, 10_000),
    chatDedupMaxRooms: integer(env, 'CHAT_DEDUP_MAX_ROOMS', 10_000, 1, 10_000_000),
    chatPollSessionTimeoutMs: integer(env, 'CHAT_POLL_SESSION_TIMEOUT_MS', 30_000, 100, HOUR_MS),
    maxBufferedBytes: integer(env, 'MAX_BUFFERED_BYTES', 1024 * 1024, 1, GIB),
    maxConnectionsPerIp: integer(env, 'MAX_CONNECTIONS_PER_IP', 1024, 1, 1_000_000),
    trustProxy: trustProxy(env),
    httpRateLimit: integer(env, 'HTTP_RATE_LIMIT', 0, 0, 1_000_000_000),
    httpRateWindowMs: integer(env, 'HTTP_RATE_WINDOW_MS', 60_000, 1, 24 * HOUR_MS),
    allowedOrigins: origins(env),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 5000, 0, 10 * 60_000),
    staticDir: path.resolve(text(env, 'STATIC_DIR', 'dist/demo/browser')),
    demoScenario: onOff(env, 'DEMO_SCENARIO', true),
    ...auth(env),
    ...redis(env),
  });
}

/**
 * The settings of `config` that belong to the realtime transports, as
 * `createRealtime` options (everything but the port, host, log level, static
 * folder and demo scenario).
 *
 * @example
 * const realtime = createRealtime({ ...realtimeOptions(loadConfig()), basePath: '/api' });
 */
export function realtimeOptions(config: Config): Omit<RealtimeOptions, 'basePath'> {
  const { port, host, listenBacklog, logLevel, staticDir, demoScenario, redisUrl, redisKeyPrefix, redisCommandTimeoutMs, presenceTtlMs, ...settings } =
    config;
  void [port, host, listenBacklog, logLevel, staticDir, demoScenario, redisUrl, redisKeyPrefix, redisCommandTimeoutMs, presenceTtlMs];
  return settings;
}
