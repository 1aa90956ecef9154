import type { EnvironmentInjector } from '@angular/core';
import WebSocket from 'ws';
import { ChatService, withBuffers, withFetch, withTransports, withWebSocket, type ChatRoom } from 'ngx-realtime-signals';
import { openSse, payload, type SseReader } from '@demo-server/test/support/sse-reader';
import { realtimeInjector, waitFor } from './realtime-test-support';

/** Messages each of the three members sends. */
export const SENDS_PER_MEMBER = 15;

/** Settings the instances run with: short expiries, so a member that stops shows its leave soon. */
export const HTTP_CHAT_ENV = {
  CHAT_POLL_SESSION_TIMEOUT_MS: '2000',
  PRESENCE_TTL_MS: '2000',
  WS_RATE_LIMIT: '100000',
  SSE_RETRY_MS: '100',
};

/** One request as a load balancer without stickiness placed it. */
export interface Routed {
  readonly method: string;
  readonly path: string;
  readonly instance: number;
}

/**
 * `fetch` as a round-robin load balancer places requests, one at a time: each request goes to the
 * next instance in turn, whatever instance the connection it belongs to was opened on.
 */
export function roundRobinFetch(urls: readonly string[], routed: Routed[]): typeof fetch {
  let next = 0;
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const instance = next++ % urls.length;
    const target = new URL(urls[instance]);
    url.protocol = target.protocol;
    url.host = target.host;
    routed.push({ method: init?.method ?? 'GET', path: url.pathname, instance });
    return fetch(url, init);
  };
}

type Frame = { type: string } & Record<string, unknown>;

/** A chat member over raw HTTP: its SSE stream on one instance, and each POST or poll sent where the test says. */
export class RawHttpMember {
  readonly frames: Frame[] = [];
  private stream: SseReader | null = null;
  private polling = false;
  private seq = 0;
  private pollIndex = 0;
  connectionId = '';

  private constructor(
    private readonly urls: readonly string[],
    readonly name: string,
  ) {}

  /** Opens the connection's SSE stream on instance `home`. */
  static async sse(urls: readonly string[], name: string, home: number): Promise<RawHttpMember> {
    const member = new RawHttpMember(urls, name);
    const stream = await openSse(urls[home], `/api/chat/events?name=${encodeURIComponent(name)}`);
    if (stream.status !== 200) throw new Error(`chat/events answered ${stream.status} ${JSON.stringify(stream.errorBody)}`);
    member.stream = stream;
    await waitFor(() => stream.events.length > 0, `${name}'s welcome`);
    member.connectionId = String(payload(stream.events[0])['connectionId']);
    return member;
  }

  /** Opens a long-poll connection on instance `home`; its polls then go round the instances until `stopPolling()`. */
  static async longPoll(urls: readonly string[], name: string, home: number): Promise<RawHttpMember> {
    const member = new RawHttpMember(urls, name);
    member.pollIndex = home;
    const answer = await member.pollOnce(`/api/chat/poll?name=${encodeURIComponent(name)}`);
    member.connectionId = String(answer[0]?.['connectionId']);
    member.polling = true;
    void member.pollLoop();
    return member;
  }

  /** Every frame so far: from the stream, or from the polls. */
  all(type: string): Frame[] {
    return this.received().filter((frame) => frame.type === type);
  }

  async next(type: string, where: (frame: Frame) => boolean, what: string): Promise<Frame> {
    await waitFor(() => this.all(type).some(where), `${this.name}: ${what}`);
    return this.all(type).find(where)!;
  }

  /** POSTs one frame to instance `instance`; returns the status. */
  async post(instance: number, frame: unknown): Promise<number> {
    const response = await fetch(`${this.urls[instance]}/api/chat/sessions/${encodeURIComponent(this.connectionId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(frame),
    });
    await response.arrayBuffer();
    return response.status;
  }

  stopPolling(): void {
    this.polling = false;
  }

  close(): void {
    this.polling = false;
    this.stream?.close();
  }

  private received(): Frame[] {
    return this.stream ? this.stream.events.map((event) => payload(event) as Frame) : this.frames;
  }

  private async pollOnce(path: string): Promise<Frame[]> {
    const url = this.urls[this.pollIndex++ % this.urls.length];
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { frames: Frame[]; seq: number };
    if (response.status !== 200) throw new Error(`${path} answered ${response.status} ${JSON.stringify(body)}`);
    this.frames.push(...body.frames);
    this.seq = body.seq;
    return body.frames;
  }

  private async pollLoop(): Promise<void> {
    while (this.polling) {
      await this.pollOnce(`/api/chat/poll?connectionId=${encodeURIComponent(this.connectionId)}&after=${this.seq}&timeout=500`).catch(() => {
        this.polling = false;
      });
    }
  }
}

export interface HttpChatCluster {
  /** Base URLs of the instances (one for the in-memory single instance). */
  readonly urls: readonly string[];
  /** The ids in the room's topic, in log order, as the log itself holds them (when the test can read the log). */
  logIds?(room: string): Promise<string[]>;
}

/** Library services created for the scenario; destroyed by `destroy`. */
export class Members {
  private readonly injectors: EnvironmentInjector[] = [];

  chat(baseUrl: string, features: Parameters<typeof realtimeInjector>[4]): ChatService {
    const injector = realtimeInjector(baseUrl, [ChatService], { initialDelayMs: 50, maxDelayMs: 300 }, [], [
      withWebSocket(WebSocket as unknown as typeof globalThis.WebSocket),
      withBuffers({ messages: 1000 }),
      ...(features ?? []),
    ]);
    this.injectors.push(injector);
    return injector.get(ChatService);
  }

  destroy(): void {
    for (const injector of this.injectors.splice(0)) injector.destroy();
  }
}

/**
 * An SSE member and a long-poll member whose every request a round-robin balancer places on the
 * next instance, and a WebSocket member on the last instance, chat in one room: every message is
 * acked once and reaches every member once, in log order; presence and typing cross instances.
 */
export async function chatAcrossInstances(cluster: HttpChatCluster, members: Members, room: string): Promise<void> {
  const { urls } = cluster;
  const routed: Routed[] = [];
  const balanced = roundRobinFetch(urls, routed);
  const ada = members.chat(urls[0], [withFetch(balanced), withTransports(['sse'])]);
  const cy = members.chat(urls[0], [withFetch(balanced), withTransports(['long-poll'])]);
  const bob = members.chat(urls[urls.length - 1], [withTransports(['websocket'])]);
  const rooms: [string, ChatService, ChatRoom][] = [
    ['ada', ada, ada.join(room)],
    ['cy', cy, cy.join(room)],
    ['bob', bob, bob.join(room)],
  ];
  for (const [name, service] of rooms) service.connect({ name });
  const seen = () => JSON.stringify(rooms.map(([name, service, r]) => ({ name, state: service.state(), error: service.lastError(), members: r.members() })));
  await waitFor(() => rooms.every(([, , r]) => r.joined() && r.memberCount() === 3), 'every member joined and sees three members', 60_000).catch(
    (error: Error) => {
      throw new Error(`${error.message}: ${seen()}; last requests ${JSON.stringify(routed.slice(-12))}`);
    },
  );
  expect(ada.transport()).toBe('sse');
  expect(cy.transport()).toBe('long-poll');
  expect(bob.transport()).toBe('websocket');
  // Presence is the room's across instances: each member lists all three.
  for (const [, , r] of rooms) expect([...r.members()].sort()).toEqual(['ada', 'bob', 'cy']);

  // Typing crosses instances both ways.
  rooms[0][2].setTyping();
  await waitFor(() => rooms[1][2].typing().includes('ada') && rooms[2][2].typing().includes('ada'), 'ada typing seen by cy and bob');
  rooms[2][2].setTyping();
  await waitFor(() => rooms[0][2].typing().includes('bob') && rooms[1][2].typing().includes('bob'), 'bob typing seen by ada and cy');

  for (let i = 0; i < SENDS_PER_MEMBER; i++) for (const [name, , r] of rooms) r.send(`${name} ${i}`);
  const mine = (r: ChatRoom) => r.messages().filter((m) => m.mine);
  await waitFor(
    () => rooms.every(([, , r]) => mine(r).length === SENDS_PER_MEMBER && mine(r).every((m) => m.status === 'sent')),
    'every send acked',
    60_000,
  );
  const acked = rooms.flatMap(([, , r]) => mine(r).map((m) => m.id!));
  expect(new Set(acked).size).toBe(3 * SENDS_PER_MEMBER);
  await waitFor(() => rooms.every(([, , r]) => r.messages().length >= 3 * SENDS_PER_MEMBER), 'every member has every message', 60_000);
  const order = rooms[2][2].messages().map((m) => m.id);
  expect([...order].sort()).toEqual([...acked].sort());
  for (const [, , r] of rooms) {
    expect(r.messages().map((m) => m.id)).toEqual(order);
    // Each member's own messages in the order it sent them.
    expect(mine(r).map((m) => m.text)).toEqual(Array.from({ length: SENDS_PER_MEMBER }, (_, i) => `${mine(r)[0].text.split(' ')[0]} ${i}`));
  }
  if (cluster.logIds) expect(order).toEqual(await cluster.logIds(room));
  for (const [, service] of rooms) expect(service.gap()).toBeNull();

  if (urls.length > 1) {
    // The balancer really spread each HTTP member's requests: POSTs and polls reached every instance.
    const posts = routed.filter((r) => r.method === 'POST');
    const polls = routed.filter((r) => r.path.endsWith('/chat/poll'));
    expect(new Set(posts.map((r) => r.instance)).size).toBe(urls.length);
    expect(new Set(polls.map((r) => r.instance)).size).toBe(urls.length);
  }
}

/**
 * A raw SSE member whose stream is on instance 0 posts through the others: a send retried on
 * another instance, and again from a new connection on yet another, gets the original ack and
 * is delivered once.
 */
export async function retriedSendAcrossInstances(cluster: HttpChatCluster, room: string): Promise<void> {
  const { urls } = cluster;
  const at = (i: number) => i % urls.length;
  const dora = await RawHttpMember.sse(urls, 'dora', at(0));
  const watcher = await RawHttpMember.sse(urls, 'watcher', at(2));
  try {
    expect(await watcher.post(at(1), { type: 'join', room })).toBe(204);
    await watcher.next('joined', (f) => f['room'] === room, 'joined');
    expect(await dora.post(at(1), { type: 'join', room })).toBe(204);
    await dora.next('joined', (f) => f['room'] === room, 'joined');
    const send = { type: 'send', room, clientId: 'dora-1', text: 'only once' };
    expect(await dora.post(at(2), send)).toBe(204);
    const ack = await dora.next('ack', (f) => f['clientId'] === 'dora-1', 'the ack');
    expect(await dora.post(at(0), send)).toBe(204);
    await waitFor(() => dora.all('ack').length === 2, 'dora: the ack of the retry');
    expect(dora.all('ack').map((f) => f['id'])).toEqual([ack['id'], ack['id']]);

    // The same send from a new connection, on yet another instance, as after a reconnect.
    const again = await RawHttpMember.sse(urls, 'dora', at(1));
    try {
      expect(await again.post(at(2), { type: 'join', room, since: ack['id'] })).toBe(204);
      await again.next('joined', (f) => f['room'] === room, 'joined again');
      expect(await again.post(at(0), send)).toBe(204);
      const third = await again.next('ack', (f) => f['clientId'] === 'dora-1', 'the ack from the new connection');
      expect(third['id']).toBe(ack['id']);
      // A ping through a third instance after the retries: had a retry been broadcast, the watcher would have it first.
      expect(await watcher.post(at(0), { type: 'ping', t: 1 })).toBe(204);
      await watcher.next('pong', () => true, 'pong');
      expect(watcher.all('message').filter((f) => (f['event'] as { data: { clientId: string } }).data.clientId === 'dora-1')).toHaveLength(1);
    } finally {
      again.close();
    }
    if (cluster.logIds) expect(await cluster.logIds(room)).toEqual([ack['id']]);

    // A bad frame posted through another instance gets its error frame on the stream; the POST itself is 204.
    expect(await dora.post(at(2), { type: 'send', room, clientId: 'dora-2' })).toBe(204);
    await dora.next('error', (f) => f['ref'] === 'dora-2', 'the error frame');
    // Unknown and foreign connections: 404 wherever the POST lands.
    for (let i = 0; i < urls.length; i++) {
      const response = await fetch(`${urls[i]}/api/chat/sessions/${encodeURIComponent(`${dora.connectionId}x`)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"type":"ping"}',
      });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unknown_connection');
    }
  } finally {
    dora.close();
    watcher.close();
  }
}

/**
 * Members that stop: an SSE member whose stream closes leaves at once; a long-poll member whose
 * polls stop leaves once its session expires (CHAT_POLL_SESSION_TIMEOUT_MS), wherever its polls went.
 */
export async function membersThatStopLeave(cluster: HttpChatCluster, room: string): Promise<RawHttpMember> {
  const { urls } = cluster;
  const at = (i: number) => i % urls.length;
  const watcher = await RawHttpMember.sse(urls, 'watcher', at(0));
  expect(await watcher.post(at(1), { type: 'join', room })).toBe(204);
  await watcher.next('joined', (f) => f['room'] === room, 'joined');
  const left = (user: string) => watcher.all('presence').some((f) => Array.isArray(f['left']) && f['left'].includes(user));

  const eve = await RawHttpMember.longPoll(urls, 'eve', at(1));
  expect(await eve.post(at(2), { type: 'join', room })).toBe(204);
  await eve.next('joined', (f) => f['room'] === room, 'joined (through the polls)');
  await watcher.next('presence', (f) => Array.isArray(f['joined']) && f['joined'].includes('eve'), 'eve joined');
  expect(await eve.post(at(0), { type: 'typing', room })).toBe(204);
  await watcher.next('typing', (f) => f['user'] === 'eve', 'eve typing');
  eve.stopPolling();
  await waitFor(() => left('eve'), 'eve left once her polls stopped', 15_000);

  const finn = await RawHttpMember.sse(urls, 'finn', at(2));
  expect(await finn.post(at(0), { type: 'join', room })).toBe(204);
  await watcher.next('presence', (f) => Array.isArray(f['joined']) && f['joined'].includes('finn'), 'finn joined');
  finn.close();
  await waitFor(() => left('finn'), 'finn left once his stream closed');
  return watcher;
}
