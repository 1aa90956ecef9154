import type { Registry } from 'prom-client';
import { compileTrust, type TrustProxy } from './limits.js';
import type { EventLog } from './log/event-log.js';
import type { Logger } from './logger.js';

/**
 * Every limit and policy of one realtime instance, with its default filled in.
 * `createRealtime` validates the options into this shape once; a bad value
 * throws there, never later on a request.
 */
export interface RealtimeSettings {
  /** Where the app mounts `router`; the chat upgrade path is `${basePath}/chat`. No trailing slash (`/` for the root). */
  readonly basePath: string;
  /** Largest accepted HTTP publish body, in bytes (413 past it). Default 65536. */
  readonly bodyLimitBytes: number;
  /** Events kept per topic: at least this many, at most 1.1 times as many. Default 1000. */
  readonly historyLimit: number;
  /** Interval of the SSE `: ping` comment. Default 15000. */
  readonly sseHeartbeatMs: number;
  /** The `retry:` value sent at the start of every SSE stream. Default 2000. */
  readonly sseRetryMs: number;
  /** Long-poll hold time when the request has no `timeout`. Default 25000 (at most `pollMaxTimeoutMs`). */
  readonly pollDefaultTimeoutMs: number;
  /** Largest accepted long-poll `timeout`. Default 60000. */
  readonly pollMaxTimeoutMs: number;
  /** Long-poll page size when the request has no `limit`. Default 100 (at most `pollMaxLimit`). */
  readonly pollDefaultLimit: number;
  /** Largest accepted long-poll `limit`. Default 1000. */
  readonly pollMaxLimit: number;
  /** Largest WebSocket frame; a larger one closes the socket with 1009. Default 65536. */
  readonly wsMaxPayloadBytes: number;
  /** Interval of the server's WebSocket ping; a peer that missed a pong is terminated. Default 30000. */
  readonly wsHeartbeatMs: number;
  /** WebSocket frames a connection may send per `wsRateWindowMs`; past it the socket closes with 1008. Default 200. */
  readonly wsRateLimit: number;
  /** Default 10000. */
  readonly wsRateWindowMs: number;
  /** Messages in `joined.history` when a join has no usable `since`. Default 50. */
  readonly chatJoinHistory: number;
  /** Members listed in `joined.members` (the count is always exact). Default 100. */
  readonly chatMemberListLimit: number;
  /** Presence deltas are coalesced over this window. Default 100. */
  readonly presenceWindowMs: number;
  /** Rooms one chat connection may have joined at once. Default 50. */
  readonly chatMaxRoomsPerConnection: number;
  /**
   * Rooms whose recent `clientId`s are remembered for send idempotency (each room keeps the
   * newest `historyLimit` sends); past it the room with the oldest send is forgotten. Default 10000.
   */
  readonly chatDedupMaxRooms: number;
  /**
   * A long-poll chat connection (`GET chat/poll`) with no poll held for this long is closed and
   * leaves its rooms: polling is its heartbeat. Default 30000.
   */
  readonly chatPollSessionTimeoutMs: number;
  /** Unsent bytes one SSE or WebSocket consumer may queue before it is disconnected. Default 1 MiB. */
  readonly maxBufferedBytes: number;
  /** Open SSE, long-poll and WebSocket connections per client IP. Default 1024. */
  readonly maxConnectionsPerIp: number;
  /**
   * Which peers are proxies whose `X-Forwarded-For` names the client, with the semantics of
   * Express's `trust proxy`: `false` none (the socket's peer is the client, and the header is
   * ignored), `true` every peer, `n` the n nearest hops, or a list of proxy addresses or subnets
   * (`10.0.0.0/8`, `loopback`, `linklocal`, `uniquelocal`). Per-IP limits and logs use the address
   * found. Trust only proxies that overwrite or append to the header: an untrusted peer's header
   * is never read, so it cannot pose as other clients. Default false.
   */
  readonly trustProxy: TrustProxy;
  /** HTTP requests (and upgrades) per IP per `httpRateWindowMs`; 0 turns the limiter off. Default 0. */
  readonly httpRateLimit: number;
  /** Default 60000. */
  readonly httpRateWindowMs: number;
  /** null = no Origin, the server's own origin and localhost origins; otherwise the exact list (`*` = any). Default null. */
  readonly allowedOrigins: readonly string[] | null;
  /** How long `close()` waits for peers before cutting them off. Default 5000. */
  readonly shutdownGraceMs: number;
  /** HS256 key (at least 32 bytes) for bearer tokens; null = auth off. Default null. */
  readonly authSecret: string | null;
  /** Required `iss` claim when set. Default null. */
  readonly authIssuer: string | null;
  /** Required `aud` claim when set. Default null. */
  readonly authAudience: string | null;
  /** Clock skew allowed on `exp` and `nbf`, in seconds. Default 5. */
  readonly authClockToleranceS: number;
  /** The `realm` of the `WWW-Authenticate` challenges. Default `realtime`. */
  readonly authRealm: string;
  /**
   * Whether `POST ${basePath}/topics/:topic/events` accepts events. Default: on when `authSecret`
   * is set (publishing then needs a token with the `publish` scope, or targets the token's own
   * `user:<sub>`), off otherwise, because without auth anyone who reaches it could publish to any
   * topic. `true` without auth opens it to everyone; server code can always use `realtime.publish()`.
   */
  readonly publishEndpoint: boolean;
}

/**
 * What `createRealtime` accepts: `basePath` and, optionally, any setting of
 * {@link RealtimeSettings} plus the collaborators below.
 *
 * @example
 * createRealtime({ basePath: '/api', historyLimit: 5000, allowedOrigins: ['https://app.example.com'] });
 */
export type RealtimeOptions = { readonly basePath: string } & Partial<Omit<RealtimeSettings, 'basePath' | 'allowedOrigins' | 'trustProxy'>> & {
  readonly allowedOrigins?: readonly string[] | null;
  /** As {@link RealtimeSettings.trustProxy}; a string is a comma-separated list (`"loopback, 10.0.0.0/8"`). */
  readonly trustProxy?: TrustProxy | string;
  /** The event log; default a MemoryEventLog of `historyLimit` owned (and closed) by the instance. A log passed in is not closed by `close()`. */
  readonly log?: EventLog;
  /** A pino logger; default `pino({ level: 'info' })` on stdout. */
  readonly logger?: Logger;
  /** The prom-client registry the metrics are registered in; default a registry of the instance's own (`realtime.metrics.registry`). */
  readonly registry?: Registry;
  /** Prefix of every metric name, so two instances can share one registry. Default `realtime_`. */
  readonly metricsPrefix?: string;
};

/** A `createRealtime` option that cannot be used; the message names the option. */
export class RealtimeOptionsError extends TypeError {
  constructor(message: string) {
    super(`createRealtime: ${message}`);
    this.name = 'RealtimeOptionsError';
  }
}

const HOUR_MS = 3_600_000;
const GIB = 1024 * 1024 * 1024;

/** [default, min, max] of every integer setting; the defaults and bounds of demo-server's environment settings, the same. */
const INTEGERS = {
  bodyLimitBytes: [65_536, 1, 16 * 1024 * 1024],
  historyLimit: [1000, 1, 10_000_000],
  sseHeartbeatMs: [15_000, 10, HOUR_MS],
  sseRetryMs: [2000, 0, HOUR_MS],
  pollMaxTimeoutMs: [60_000, 0, HOUR_MS],
  pollMaxLimit: [1000, 1, 100_000],
  pollDefaultTimeoutMs: [25_000, 0, HOUR_MS],
  pollDefaultLimit: [100, 1, 100_000],
  wsMaxPayloadBytes: [65_536, 64, 16 * 1024 * 1024],
  wsHeartbeatMs: [30_000, 10, HOUR_MS],
  wsRateLimit: [200, 1, 1_000_000],
  wsRateWindowMs: [10_000, 1, HOUR_MS],
  chatJoinHistory: [50, 0, 10_000],
  chatMemberListLimit: [100, 0, 100_000],
  presenceWindowMs: [100, 0, 60_000],
  chatMaxRoomsPerConnection: [50, 1, 10_000],
  chatDedupMaxRooms: [10_000, 1, 10_000_000],
  chatPollSessionTimeoutMs: [30_000, 100, HOUR_MS],
  maxBufferedBytes: [1024 * 1024, 1, GIB],
  maxConnectionsPerIp: [1024, 1, 1_000_000],
  httpRateLimit: [0, 0, 1_000_000_000],
  httpRateWindowMs: [60_000, 1, 24 * HOUR_MS],
  shutdownGraceMs: [5000, 0, 10 * 60_000],
  authClockToleranceS: [5, 0, 300],
} as const satisfies Record<string, readonly [number, number, number]>;

type IntegerSetting = keyof typeof INTEGERS;

/** The defaults and bounds of every integer setting, for documentation and for apps that map their own config. */
export const SETTING_BOUNDS: Readonly<Record<IntegerSetting, { readonly default: number; readonly min: number; readonly max: number }>> =
  Object.freeze(
    Object.fromEntries(
      Object.entries(INTEGERS).map(([name, [fallback, min, max]]) => [name, Object.freeze({ default: fallback, min, max })]),
    ) as Record<IntegerSetting, { default: number; min: number; max: number }>,
  );

const OTHER_OPTIONS = [
  'basePath',
  'allowedOrigins',
  'trustProxy',
  'authSecret',
  'authIssuer',
  'authAudience',
  'authRealm',
  'publishEndpoint',
  'log',
  'logger',
  'registry',
  'metricsPrefix',
] as const;
const KNOWN_OPTIONS = new Set<string>([...Object.keys(INTEGERS), ...OTHER_OPTIONS]);

/** HS256 keys shorter than the hash output (256 bits) weaken the MAC; RFC 7518 section 3.2 forbids them. */
export const MIN_AUTH_SECRET_BYTES = 32;

/** Path segments as Express matches them; no `..`, no query, no trailing slash except the root itself. */
const BASE_PATH = /^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*\/?$/;
const METRICS_PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** A quoted-string of RFC 9110 without quotes or backslashes, so it needs no escaping. */
const REALM = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/;

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function integer(options: Record<string, unknown>, name: IntegerSetting, fallback: number = INTEGERS[name][0]): number {
  const [, min, max] = INTEGERS[name];
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new RealtimeOptionsError(`${name} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}

function optionalText(options: Record<string, unknown>, name: 'authIssuer' | 'authAudience'): string | null {
  const value = options[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new RealtimeOptionsError(`${name} must be a non-empty string or null, got ${show(value)}`);
  }
  return value;
}

function basePathOf(value: unknown): string {
  if (typeof value !== 'string' || !BASE_PATH.test(value) || /(^|\/)\.{1,2}(\/|$)/.test(value) || value === '') {
    throw new RealtimeOptionsError(
      `basePath must be a URL path like "/api" or "/v1/realtime" (or "/"), got ${show(value)}`,
    );
  }
  return value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value;
}

function originsOf(value: unknown): readonly string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) {
    throw new RealtimeOptionsError(`allowedOrigins must be an array of origins (or null), got ${show(value)}`);
  }
  return Object.freeze(
    value.map((entry: unknown) => {
      if (entry === '*') return entry;
      if (typeof entry !== 'string') {
        throw new RealtimeOptionsError(`allowedOrigins entries must be origins like https://example.com or *, got ${show(entry)}`);
      }
      let parsed: URL;
      try {
        parsed = new URL(entry);
      } catch {
        throw new RealtimeOptionsError(`allowedOrigins entries must be origins like https://example.com or *, got ${show(entry)}`);
      }
      if (parsed.origin === 'null' || parsed.origin !== entry.replace(/\/$/, '')) {
        throw new RealtimeOptionsError(`allowedOrigins entries must be bare origins (scheme://host[:port]), got ${show(entry)}`);
      }
      return parsed.origin;
    }),
  );
}

function trustProxyOf(value: unknown): TrustProxy {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0 || value > 1000) {
      throw new RealtimeOptionsError(`trustProxy as a hop count must be an integer from 0 to 1000, got ${show(value)}`);
    }
    return value;
  }
  const list = typeof value === 'string' ? value.split(',').map((entry) => entry.trim()) : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((entry) => typeof entry !== 'string' || entry === '')) {
    throw new RealtimeOptionsError(
      `trustProxy must be true, false, a hop count or proxy addresses (like ["loopback", "10.0.0.0/8"]), got ${show(value)}`,
    );
  }
  try {
    compileTrust(list);
  } catch (error) {
    throw new RealtimeOptionsError(`trustProxy: ${error instanceof Error ? error.message : String(error)}`);
  }
  return Object.freeze([...(list as string[])]);
}

function authSecretOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new RealtimeOptionsError(`authSecret must be a string or null, got ${show(value)}`);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes < MIN_AUTH_SECRET_BYTES) {
    throw new RealtimeOptionsError(
      `authSecret must be at least ${MIN_AUTH_SECRET_BYTES} bytes (e.g. \`openssl rand -base64 48\`), got ${bytes}`,
    );
  }
  return value;
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return methods.every((method) => typeof record[method] === 'function');
}

export const EVENT_LOG_METHODS = ['append', 'read', 'head', 'last', 'subscribe', 'isValidCursor', 'compare', 'close'] as const;

/** The collaborators of an instance after validation. */
export interface ResolvedCollaborators {
  readonly log: EventLog | undefined;
  readonly logger: Logger | undefined;
  readonly registry: Registry | undefined;
  readonly metricsPrefix: string;
}

/**
 * Validates `createRealtime` options and fills in the defaults. Throws
 * RealtimeOptionsError naming the option when a value is unusable (an unknown
 * option name too, so a typo never silently runs with the default).
 *
 * @example
 * const { settings } = resolveOptions({ basePath: '/api', historyLimit: 10 });
 */
export function resolveOptions(input: RealtimeOptions): { settings: RealtimeSettings; collaborators: ResolvedCollaborators } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new RealtimeOptionsError(`options must be an object like { basePath: '/api' }, got ${show(input)}`);
  }
  const options = input as unknown as Record<string, unknown>;
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) throw new RealtimeOptionsError(`unknown option "${name}"`);
  }
  const basePath = basePathOf(options['basePath']);
  const pollMaxTimeoutMs = integer(options, 'pollMaxTimeoutMs');
  const pollMaxLimit = integer(options, 'pollMaxLimit');
  const pollDefaultTimeoutMs = integer(options, 'pollDefaultTimeoutMs', Math.min(INTEGERS.pollDefaultTimeoutMs[0], pollMaxTimeoutMs));
  const pollDefaultLimit = integer(options, 'pollDefaultLimit', Math.min(INTEGERS.pollDefaultLimit[0], pollMaxLimit));
  if (pollDefaultTimeoutMs > pollMaxTimeoutMs) {
    throw new RealtimeOptionsError(`pollDefaultTimeoutMs (${pollDefaultTimeoutMs}) must not exceed pollMaxTimeoutMs (${pollMaxTimeoutMs})`);
  }
  if (pollDefaultLimit > pollMaxLimit) {
    throw new RealtimeOptionsError(`pollDefaultLimit (${pollDefaultLimit}) must not exceed pollMaxLimit (${pollMaxLimit})`);
  }
  const authSecret = authSecretOf(options['authSecret']);
  const authIssuer = optionalText(options, 'authIssuer');
  const authAudience = optionalText(options, 'authAudience');
  // An issuer or audience without a secret looks like auth is on while every route is open.
  if (authSecret === null) {
    if (authIssuer !== null) throw new RealtimeOptionsError('authIssuer is set but authSecret is not; set both or neither');
    if (authAudience !== null) throw new RealtimeOptionsError('authAudience is set but authSecret is not; set both or neither');
  }
  const authRealm = options['authRealm'] ?? 'realtime';
  if (typeof authRealm !== 'string' || !REALM.test(authRealm)) {
    throw new RealtimeOptionsError(`authRealm must be 1..64 printable ASCII characters without " or \\, got ${show(authRealm)}`);
  }
  const publishEndpoint = options['publishEndpoint'];
  if (publishEndpoint !== undefined && typeof publishEndpoint !== 'boolean') {
    throw new RealtimeOptionsError(`publishEndpoint must be true or false, got ${show(publishEndpoint)}`);
  }
  const log = options['log'];
  if (log !== undefined && !hasMethods(log, EVENT_LOG_METHODS)) {
    throw new RealtimeOptionsError(`log must implement EventLog (${EVENT_LOG_METHODS.join(', ')}), got ${show(log)}`);
  }
  const logger = options['logger'];
  if (logger !== undefined && !hasMethods(logger, ['error', 'warn', 'info', 'debug', 'isLevelEnabled'])) {
    throw new RealtimeOptionsError(`logger must be a pino logger, got ${show(logger)}`);
  }
  const registry = options['registry'];
  if (registry !== undefined && !hasMethods(registry, ['registerMetric', 'metrics', 'getSingleMetric'])) {
    throw new RealtimeOptionsError(`registry must be a prom-client Registry, got ${show(registry)}`);
  }
  const metricsPrefix = options['metricsPrefix'] ?? 'realtime_';
  if (typeof metricsPrefix !== 'string' || !METRICS_PREFIX.test(metricsPrefix)) {
    throw new RealtimeOptionsError(`metricsPrefix must match ${METRICS_PREFIX.source}, got ${show(metricsPrefix)}`);
  }

  const settings: RealtimeSettings = Object.freeze({
    basePath,
    bodyLimitBytes: integer(options, 'bodyLimitBytes'),
    historyLimit: integer(options, 'historyLimit'),
    sseHeartbeatMs: integer(options, 'sseHeartbeatMs'),
    sseRetryMs: integer(options, 'sseRetryMs'),
    pollDefaultTimeoutMs,
    pollMaxTimeoutMs,
    pollDefaultLimit,
    pollMaxLimit,
    wsMaxPayloadBytes: integer(options, 'wsMaxPayloadBytes'),
    wsHeartbeatMs: integer(options, 'wsHeartbeatMs'),
    wsRateLimit: integer(options, 'wsRateLimit'),
    wsRateWindowMs: integer(options, 'wsRateWindowMs'),
    chatJoinHistory: integer(options, 'chatJoinHistory'),
    chatMemberListLimit: integer(options, 'chatMemberListLimit'),
    presenceWindowMs: integer(options, 'presenceWindowMs'),
    chatMaxRoomsPerConnection: integer(options, 'chatMaxRoomsPerConnection'),
    chatDedupMaxRooms: integer(options, 'chatDedupMaxRooms'),
    chatPollSessionTimeoutMs: integer(options, 'chatPollSessionTimeoutMs'),
    maxBufferedBytes: integer(options, 'maxBufferedBytes'),
    maxConnectionsPerIp: integer(options, 'maxConnectionsPerIp'),
    trustProxy: trustProxyOf(options['trustProxy']),
    httpRateLimit: integer(options, 'httpRateLimit'),
    httpRateWindowMs: integer(options, 'httpRateWindowMs'),
    allowedOrigins: originsOf(options['allowedOrigins']),
    shutdownGraceMs: integer(options, 'shutdownGraceMs'),
    authSecret,
    authIssuer,
    authAudience,
    authClockToleranceS: integer(options, 'authClockToleranceS'),
    authRealm,
    publishEndpoint: publishEndpoint ?? authSecret !== null,
  });
  return {
    settings,
    collaborators: {
      log: log as EventLog | undefined,
      logger: logger as Logger | undefined,
      registry: registry as Registry | undefined,
      metricsPrefix,
    },
  };
}
