import type { SseParse } from '../core/transports/sse-parse';
import type { RealtimeFeature } from './features';
import type { ResolvedRealtimeConfig } from './options';

/**
 * The URL of a topic's endpoint, as the backend lays it out.
 *
 * @example
 * ```ts
 * const orders: TopicUrl = (topic) => `/stream/${encodeURIComponent(topic)}`;
 * ```
 */
export type TopicUrl = (topic: string) => string;

/**
 * How a stream is read: its `data` (`parse`) and how often the server proves it
 * is alive (`heartbeatMs`).
 *
 * @example
 * ```ts
 * const options: StreamOptions = { parse: 'json', heartbeatMs: 0 }; // plain JSON events, no heartbeat comments
 * ```
 */
export interface StreamOptions<T = unknown> {
  /** How `data` becomes `event.data`; see {@link SseParse}. Default: this library's protocol, else JSON, else text. */
  parse?: SseParse<T>;
  /**
   * The server's heartbeat interval (comments such as `: ping`, or any bytes): a stream
   * silent for twice as long is presumed dead and restarted. `0` turns the watchdog off,
   * for a server that sends no heartbeat. Default: `withHeartbeat` (15000).
   */
  heartbeatMs?: number;
}

/**
 * The SSE endpoint of `NotificationService`: the stream URL per topic plus how to read it.
 *
 * @example
 * ```ts
 * const events: StreamEndpoint = { url: (topic) => `/stream/${topic}`, parse: 'json', heartbeatMs: 0 };
 * ```
 */
export interface StreamEndpoint extends StreamOptions {
  url: TopicUrl;
}

/**
 * Where each service connects, for a backend with its own URL layout. Each entry
 * is optional; an absent one keeps the default under the base URL.
 *
 * @example
 * ```ts
 * provideRealtime(withEndpoints({
 *   events: (topic) => `/stream/${topic}`,                 // default `${baseUrl}/events/<topic>`
 *   poll: (topic) => `/api/v2/poll/${topic}`,              // default `${baseUrl}/poll/<topic>`
 *   chat: 'wss://chat.example.com/socket',                 // default `${baseUrl}/chat`
 * }));
 * ```
 */
export interface RealtimeEndpoints {
  /** `NotificationService`: the SSE stream of a topic, or that plus how to read it. */
  events?: TopicUrl | StreamEndpoint;
  /** `LongPollService`: the long-poll URL of a topic (the backend answers as docs/PROTOCOL.md says). */
  poll?: TopicUrl;
  /** `ChatService`: the WebSocket URL (`ws(s)://`, `http(s)://` or relative to the page), or a function asked on every connect. */
  chat?: string | (() => string);
}

/**
 * Maps the services to the URLs a backend already has, so `${baseUrl}/events/<topic>`
 * is a default, not a rule. Per call, `NotificationService.connect(topic, { url })` and
 * `LongPollService.watch(topic, { url })` override it again.
 *
 * A stream from a backend that does not speak this library's protocol works too:
 * JSON `data` arrives parsed (or as `parse` says); events without an id get local ids
 * (`local:1`, `local:2`, …) and such a stream cannot resume after a drop (no
 * deduplication, no gap detection); set `heartbeatMs: 0` when the server sends no heartbeat.
 *
 * @example
 * ```ts
 * provideRealtime(
 *   withBaseUrl('/api'),
 *   withEndpoints({
 *     events: { url: (topic) => `/stream/${encodeURIComponent(topic)}`, heartbeatMs: 0 },
 *     chat: () => `${location.origin.replace('http', 'ws')}/ws`,
 *   }),
 * );
 * ```
 */
export function withEndpoints(endpoints: RealtimeEndpoints): RealtimeFeature {
  if (typeof ngDevMode === 'undefined' || ngDevMode) checkEndpoints(endpoints, 'withEndpoints');
  return { ɵkind: 'endpoints', ɵoptions: { endpoints }, ɵproviders: [] };
}

/**
 * Throws a clear error for a malformed endpoints object. `where` names the caller in the
 * message. A development-mode check: the app's setup meets it in development first.
 */
export function checkEndpoints(endpoints: RealtimeEndpoints, where: string): void {
  if (typeof endpoints !== 'object' || endpoints === null) {
    throw new TypeError(`${where}: expected an object { events?, poll?, chat? }, got ${kind(endpoints)}`);
  }
  for (const key of Object.keys(endpoints)) {
    if (key !== 'events' && key !== 'poll' && key !== 'chat') {
      throw new TypeError(`${where}: unknown endpoint "${key}" (expected events, poll or chat)`);
    }
  }
  const { events, poll, chat } = endpoints;
  if (events !== undefined && typeof events !== 'function') {
    if (typeof events !== 'object' || events === null || typeof events.url !== 'function') {
      throw new TypeError(`${where}: events must be (topic) => url or { url: (topic) => url, parse?, heartbeatMs? }, got ${kind(events)}`);
    }
    checkStreamOptions(events, `${where}: events`);
  }
  if (poll !== undefined && typeof poll !== 'function') {
    throw new TypeError(`${where}: poll must be (topic) => url, got ${kind(poll)}`);
  }
  if (chat !== undefined && typeof chat !== 'function' && !(typeof chat === 'string' && chat !== '')) {
    throw new TypeError(`${where}: chat must be a URL string or () => url, got ${kind(chat)}`);
  }
}

/** Throws a clear error for a bad `parse` or `heartbeatMs` (a development-mode check, as {@link checkEndpoints}). */
export function checkStreamOptions(options: StreamOptions, where: string): void {
  const { parse, heartbeatMs } = options;
  if (parse !== undefined && parse !== 'json' && parse !== 'text' && typeof parse !== 'function') {
    throw new TypeError(`${where}: parse must be 'json', 'text' or (message) => data, got ${kind(parse)}`);
  }
  if (heartbeatMs !== undefined && !(typeof heartbeatMs === 'number' && Number.isFinite(heartbeatMs) && heartbeatMs >= 0)) {
    throw new RangeError(`${where}: heartbeatMs must be a number of ms >= 0 (0 turns the watchdog off), got ${kind(heartbeatMs)}`);
  }
}

/** A stream as `NotificationService` opens it: URL, parse mode and the watchdog limit (undefined: off). */
export interface ResolvedStream {
  readonly url: string;
  readonly parse: SseParse | undefined;
  readonly watchdogMs: number | undefined;
}

/** The stream of `topic`: the call's options over the `events` endpoint over the defaults. */
export function resolveStream(config: ResolvedRealtimeConfig, topic: string, call: StreamOptions & { url?: string }): ResolvedStream {
  if (typeof ngDevMode === 'undefined' || ngDevMode) {
    checkStreamOptions(call, 'NotificationService.connect');
    if (call.url !== undefined && !(typeof call.url === 'string' && call.url !== '')) {
      throw new TypeError(`NotificationService.connect: url must be a non-empty string, got ${kind(call.url)}`);
    }
  }
  const endpoint = config.endpoints.events;
  const fromEndpoint: Partial<StreamEndpoint> = typeof endpoint === 'function' ? { url: endpoint } : (endpoint ?? {});
  const url = call.url ?? (fromEndpoint.url ? endpointUrl(fromEndpoint.url, topic, 'events') : defaultUrl(config, 'events', topic));
  const heartbeatMs = call.heartbeatMs ?? fromEndpoint.heartbeatMs ?? config.heartbeatMs;
  return { url, parse: call.parse ?? fromEndpoint.parse, watchdogMs: heartbeatMs > 0 ? heartbeatMs * 2 : undefined };
}

/** The long-poll URL of `topic`: the call's `url` over the `poll` endpoint over the default. */
export function resolvePollUrl(config: ResolvedRealtimeConfig, topic: string, callUrl: string | undefined): string {
  if (callUrl !== undefined) {
    if ((typeof ngDevMode === 'undefined' || ngDevMode) && !(typeof callUrl === 'string' && callUrl !== '')) {
      throw new TypeError(`LongPollService.watch: url must be a non-empty string, got ${kind(callUrl)}`);
    }
    return callUrl;
  }
  const poll = config.endpoints.poll;
  return poll ? endpointUrl(poll, topic, 'poll') : defaultUrl(config, 'poll', topic);
}

/** The chat endpoint before the `ws(s)` scheme and query are applied: the `chat` endpoint or `${baseUrl}/chat`. */
export function resolveChatUrl(config: ResolvedRealtimeConfig): string {
  const chat = config.endpoints.chat;
  if (chat === undefined) return `${config.baseUrl}/chat`;
  const url = typeof chat === 'function' ? chat() : chat;
  if (typeof url !== 'string' || url === '') {
    throw new TypeError(
      typeof ngDevMode === 'undefined' || ngDevMode ? `withEndpoints: chat() returned ${kind(url)}, expected a URL string` : BAD_URL,
    );
  }
  return url;
}

function endpointUrl(fn: TopicUrl, topic: string, name: 'events' | 'poll'): string {
  const url = fn(topic);
  if (typeof url !== 'string' || url === '') {
    throw new TypeError(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `withEndpoints: ${name}(${JSON.stringify(topic)}) returned ${kind(url)}, expected a URL string`
        : BAD_URL,
    );
  }
  return url;
}

/** What a production build says when an endpoint function returns no URL (development builds say which and what). */
const BAD_URL = 'withEndpoints: an endpoint returned no URL';

function defaultUrl(config: ResolvedRealtimeConfig, path: 'events' | 'poll', topic: string): string {
  return `${config.baseUrl}/${path}/${encodeURIComponent(topic)}`;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}
