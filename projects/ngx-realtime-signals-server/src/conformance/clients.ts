import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';

/** What a check needs to reach the server under test. */
export interface Target {
  /** The base URL without a trailing slash, e.g. http://localhost:8080/api */
  readonly baseUrl: string;
  /** Bearer token for every HTTP request and `access_token` for the chat upgrade. */
  readonly token: string | null;
}

/** A failed expectation; its message is what the report prints. */
export class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailure';
  }
}

export function expectThat(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailure(message);
}

export function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

/** A name no earlier run used, so runs against a long-lived server never see each other's events. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Send the request on a TCP connection of its own, never reused: behind a load balancer, even
   * one that balances connections rather than requests, each such request may reach another instance.
   */
  ownConnection?: boolean;
}

/** One HTTP request with fetch; the body is read whole and parsed as JSON when it is JSON. */
export async function request(target: Target, method: string, path: string, init: RequestOptions = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...init.headers };
  if (target.token !== null) headers['Authorization'] = `Bearer ${target.token}`;
  const signal = init.signal
    ? AbortSignal.any([init.signal, AbortSignal.timeout(init.timeoutMs ?? 15_000)])
    : AbortSignal.timeout(init.timeoutMs ?? 15_000);
  if (init.ownConnection) return requestOnOwnConnection(`${target.baseUrl}${path}`, method, headers, init.body, signal);
  const response = await fetch(`${target.baseUrl}${path}`, { method, headers, body: init.body, signal });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parseJson(text) };
}

function requestOnOwnConnection(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method, headers, agent: false, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const answerHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) answerHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        resolve({ status: res.statusCode ?? 0, headers: answerHeaders, text, json: parseJson(text) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function errorCodeOf(answer: HttpAnswer): string | undefined {
  const body = answer.json as { error?: { code?: unknown } } | undefined;
  return typeof body?.error?.code === 'string' ? body.error.code : undefined;
}

/** Publishes over HTTP and returns the new event's id; anything but 201 fails the check. */
export async function publish(target: Target, topic: string, type: string, data: unknown): Promise<string> {
  const answer = await request(target, 'POST', `/topics/${encodeURIComponent(topic)}/events`, {
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ type, data }),
  });
  expectThat(answer.status === 201, `POST /topics/${topic}/events answered ${answer.status} ${answer.text.slice(0, 200)} (expected 201)`);
  const id = (answer.json as { id?: unknown } | undefined)?.id;
  expectThat(typeof id === 'string' && id !== '', `POST answered ${show(answer.json)} without a string id`);
  return id;
}

/** Waits for `predicate` over a growing list, failing with `what` after `timeoutMs`. */
async function waitUntil<T>(list: T[], predicate: (items: T[]) => boolean, what: string, timeoutMs: number, closed?: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(list)) {
    const reason = closed?.();
    if (reason) throw new CheckFailure(`${what}: ${reason}`);
    if (Date.now() > deadline) throw new CheckFailure(`${what}: not seen within ${timeoutMs} ms`);
    await delay(10);
  }
}

export interface SseFrame {
  /** Field lines in order, e.g. [['id', '1'], ['event', 'x'], ['data', '{...}']]; comments as [':', ' ping']. */
  fields: [string, string][];
  get(name: string): string | undefined;
}

/** An SSE stream read byte for byte with fetch, to check the framing itself. */
export class RawSseStream {
  readonly frames: SseFrame[] = [];
  status = 0;
  headers = new Headers();
  private buffer = '';
  private readonly abort = new AbortController();
  private ended: string | null = null;

  private constructor() {}

  static async open(target: Target, path: string, headers: Record<string, string> = {}): Promise<RawSseStream> {
    const stream = new RawSseStream();
    const all: Record<string, string> = { Accept: 'text/event-stream', ...headers };
    if (target.token !== null) all['Authorization'] = `Bearer ${target.token}`;
    const response = await fetch(`${target.baseUrl}${path}`, { headers: all, signal: stream.abort.signal });
    stream.status = response.status;
    stream.headers = response.headers;
    if (response.body === null) {
      stream.ended = 'no body';
      return stream;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          stream.push(decoder.decode(value, { stream: true }));
        }
        stream.ended = 'the stream ended';
      } catch {
        stream.ended ??= 'the stream failed';
      }
    })();
    return stream;
  }

  private push(text: string): void {
    this.buffer += text;
    for (;;) {
      const match = /\r\n\r\n|\n\n|\r\r/.exec(this.buffer);
      if (!match) return;
      const block = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const fields = block.split(/\r\n|\n|\r/).map((line): [string, string] => {
        if (line.startsWith(':')) return [':', line.slice(1)];
        const colon = line.indexOf(':');
        if (colon === -1) return [line, ''];
        const value = line.slice(colon + 1);
        return [line.slice(0, colon), value.startsWith(' ') ? value.slice(1) : value];
      });
      this.frames.push({ fields, get: (name) => fields.find(([field]) => field === name)?.[1] });
    }
  }

  /** Frames carrying an `event:` (or data) field, skipping comments and `retry:`-only frames. */
  events(): SseFrame[] {
    return this.frames.filter((frame) => frame.get('data') !== undefined);
  }

  async waitFor(predicate: (frames: SseFrame[]) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    await waitUntil(this.frames, predicate, what, timeoutMs, () => (predicate(this.frames) ? null : this.ended));
  }

  close(): void {
    this.abort.abort();
  }
}

export interface ReceivedEvent {
  type: string;
  lastEventId: string;
  data: string;
}

/** An SSE stream through the `eventsource` package (a client this project did not write). */
export class PackageSseStream {
  readonly received: ReceivedEvent[] = [];
  readonly errors: string[] = [];
  private readonly source: EventSource;

  constructor(target: Target, path: string, types: readonly string[], headers: Record<string, string> = {}) {
    const extra: Record<string, string> = { ...headers };
    if (target.token !== null) extra['Authorization'] = `Bearer ${target.token}`;
    this.source = new EventSource(`${target.baseUrl}${path}`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...extra } }),
    });
    const record = (event: MessageEvent) => this.received.push({ type: event.type, lastEventId: event.lastEventId, data: String(event.data) });
    for (const type of types) this.source.addEventListener(type, record);
    this.source.onmessage = record;
    this.source.onerror = (event) => this.errors.push(String((event as { message?: string }).message ?? 'error'));
  }

  async waitFor(predicate: (events: ReceivedEvent[]) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    await waitUntil(this.received, predicate, what, timeoutMs);
  }

  close(): void {
    this.source.close();
  }
}

export type ChatFrame = Record<string, unknown> & { type?: unknown };

/** The chat transports of docs/PROTOCOL.md: frames over one WebSocket, or down SSE / long polls with client frames POSTed. */
export type ChatTransport = 'websocket' | 'sse' | 'long-poll';

export const CHAT_TRANSPORTS: readonly ChatTransport[] = ['websocket', 'sse', 'long-poll'];

/** One chat connection as the checks see it, whatever carries it. */
export interface ChatChannel {
  readonly transport: ChatTransport;
  readonly frames: ChatFrame[];
  readonly open: boolean;
  /** Sends one client frame (an object as JSON, a string as it is); HTTP sends go out one after another, in order. */
  send(frame: unknown): void;
  next(predicate: (frame: ChatFrame) => boolean, what: string, from?: number, timeoutMs?: number): Promise<ChatFrame>;
  close(): void;
}

/** Opens a chat connection over `transport` and resolves once it is usable (for HTTP: once its welcome names the connection). */
export function openChat(target: Target, name: string, transport: ChatTransport): Promise<ChatChannel> {
  return transport === 'websocket' ? ChatSocket.open(target, name) : HttpChat.open(target, name, transport);
}

/** A chat socket through `ws`, keeping every frame it receives. */
export class ChatSocket implements ChatChannel {
  readonly transport = 'websocket';
  readonly frames: ChatFrame[] = [];
  closeCode: number | null = null;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      try {
        this.frames.push(JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data)) as ChatFrame);
      } catch {
        this.frames.push({ type: '<not JSON>', raw: String(data) });
      }
    });
    socket.on('close', (code) => (this.closeCode = code));
  }

  static open(target: Target, name: string): Promise<ChatSocket> {
    const url = new URL(`${target.baseUrl.replace(/^http/, 'ws')}/chat`);
    if (target.token !== null) url.searchParams.set('access_token', target.token);
    else url.searchParams.set('name', name);
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const chat = new ChatSocket(socket);
      socket.once('open', () => resolve(chat));
      socket.once('unexpected-response', (_req, res) => reject(new CheckFailure(`the chat upgrade answered HTTP ${res.statusCode}`)));
      socket.once('error', (error) => reject(new CheckFailure(`the chat upgrade failed: ${error.message}`)));
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sendBinary(bytes: Uint8Array): void {
    this.socket.send(bytes, { binary: true });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** The first frame after index `from` that matches; fails after `timeoutMs` or when the socket closes. */
  async next(predicate: (frame: ChatFrame) => boolean, what: string, from = 0, timeoutMs = 10_000): Promise<ChatFrame> {
    const find = () => this.frames.slice(from).find(predicate);
    await waitUntil(this.frames, () => find() !== undefined, what, timeoutMs, () =>
      this.closeCode !== null ? `the socket closed with ${this.closeCode}` : null,
    );
    return find()!;
  }

  close(): void {
    this.socket.terminate();
  }
}

/**
 * A chat connection over HTTP: frames from `GET chat/events` (through the
 * `eventsource` package) or from `GET chat/poll` long polls, client frames by
 * `POST chat/sessions/:connectionId`. Each POST and poll goes on a TCP connection
 * of its own, so behind a load balancer they reach any instance, as they may in
 * production: the server must not need sticky sessions.
 */
export class HttpChat implements ChatChannel {
  readonly frames: ChatFrame[] = [];
  private connectionId: string | null = null;
  private ended: string | null = null;
  private sending: Promise<void> = Promise.resolve();
  private source: EventSource | null = null;
  private readonly polling = new AbortController();
  /** POSTs that failed, with their status: a check fails on them when it waits. */
  readonly postFailures: string[] = [];

  private constructor(
    private readonly target: Target,
    readonly transport: 'sse' | 'long-poll',
  ) {}

  static async open(target: Target, name: string, transport: 'sse' | 'long-poll'): Promise<HttpChat> {
    const chat = new HttpChat(target, transport);
    const query = target.token === null ? `?name=${encodeURIComponent(name)}` : '';
    if (transport === 'sse') chat.listen(`/chat/events${query}`);
    else void chat.poll(query);
    await chat.next((frame) => frame.type === 'welcome', `the welcome of GET chat/${transport === 'sse' ? 'events' : 'poll'}`, 0, 10_000);
    chat.connectionId = String(chat.frames.find((frame) => frame.type === 'welcome')?.['connectionId']);
    return chat;
  }

  get open(): boolean {
    return this.ended === null;
  }

  send(frame: unknown): void {
    const body = typeof frame === 'string' ? frame : JSON.stringify(frame);
    this.sending = this.sending.then(async () => {
      try {
        const answer = await request(this.target, 'POST', `/chat/sessions/${encodeURIComponent(this.connectionId ?? '')}`, {
          headers: { 'Content-Type': 'application/json' },
          body,
          ownConnection: true,
        });
        if (answer.status !== 204) this.postFailures.push(`POST chat/sessions answered ${answer.status} ${answer.text.slice(0, 200)}`);
      } catch (error) {
        this.postFailures.push(`POST chat/sessions failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  }

  async next(predicate: (frame: ChatFrame) => boolean, what: string, from = 0, timeoutMs = 10_000): Promise<ChatFrame> {
    const find = () => this.frames.slice(from).find(predicate);
    await waitUntil(this.frames, () => find() !== undefined, what, timeoutMs, () =>
      this.postFailures[0] ?? (this.ended !== null ? `the connection ended: ${this.ended}` : null),
    );
    return find()!;
  }

  close(): void {
    this.ended ??= 'closed by the check';
    this.source?.close();
    this.polling.abort();
  }

  private receive(text: string): void {
    let frame: ChatFrame;
    try {
      frame = JSON.parse(text) as ChatFrame;
    } catch {
      frame = { type: '<not JSON>', raw: text };
    }
    this.frames.push(frame);
    if (frame.type === 'close') this.ended ??= `close frame ${show(frame)}`;
  }

  private listen(path: string): void {
    const extra: Record<string, string> = {};
    if (this.target.token !== null) extra['Authorization'] = `Bearer ${this.target.token}`;
    this.source = new EventSource(`${this.target.baseUrl}${path}`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...extra } }),
    });
    this.source.onmessage = (event) => this.receive(String(event.data));
    // A chat stream is one connection: when it drops, the connection (and its rooms) are gone.
    this.source.onerror = () => {
      this.ended ??= 'the event stream failed or closed';
      this.source?.close();
    };
  }

  private async poll(query: string): Promise<void> {
    let path = `/chat/poll${query}`;
    while (this.ended === null) {
      let answer: HttpAnswer;
      try {
        answer = await request(this.target, 'GET', path, { timeoutMs: 30_000, signal: this.polling.signal, ownConnection: true });
      } catch (error) {
        this.ended ??= `a poll failed: ${error instanceof Error ? error.message : String(error)}`;
        return;
      }
      const body = answer.json as { frames?: unknown; seq?: unknown } | undefined;
      if (answer.status !== 200 || !Array.isArray(body?.frames) || typeof body.seq !== 'number') {
        this.ended ??= `GET ${path} answered ${answer.status} ${answer.text.slice(0, 200)} (expected 200 { frames, seq })`;
        return;
      }
      for (const frame of body.frames as ChatFrame[]) {
        this.frames.push(frame);
        if (frame.type === 'close') this.ended ??= `close frame ${show(frame)}`;
      }
      const id = this.connectionId ?? String(this.frames.find((frame) => frame.type === 'welcome')?.['connectionId']);
      path = `/chat/poll?connectionId=${encodeURIComponent(id)}&after=${body.seq}&timeout=5000`;
    }
  }
}
