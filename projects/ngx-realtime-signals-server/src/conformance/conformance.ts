import {
  ChatSocket,
  type ChatChannel,
  type ChatFrame,
  type ChatTransport,
  openChat,
  CheckFailure,
  PackageSseStream,
  RawSseStream,
  type Target,
  delay,
  errorCodeOf,
  expectThat,
  publish,
  request,
  show,
  uniqueName,
} from './clients.js';

/**
 * The protocol of docs/PROTOCOL.md as checks anyone can run against a base
 * URL: a Java, .NET or Go server passes when every check passes. The clients
 * are fetch, the `eventsource` package and `ws`, none written for this project.
 */
export interface ConformanceOptions {
  /** e.g. http://localhost:8080/api (the routes are `${baseUrl}/events/:topic` and so on). */
  baseUrl: string;
  /** A bearer token (with the `publish` scope) for a server with auth on. */
  token?: string | null;
  /** The server's SSE heartbeat interval; the heartbeat check waits this long plus 5 s. Default 15000. */
  heartbeatMs?: number;
  /** The server's history per topic; the gap checks publish 1.1 times this many events. Default 1000. */
  historyLimit?: number;
  /** The server's publish body limit; the 413 check sends one byte more. Default 65536. */
  bodyLimitBytes?: number;
  /** Called with each check's result as it finishes. */
  onResult?: (result: CheckResult) => void;
}

export interface CheckResult {
  readonly name: string;
  readonly passed: boolean;
  /** Why it failed. */
  readonly message?: string;
  readonly ms: number;
}

export interface ConformanceReport {
  readonly results: readonly CheckResult[];
  readonly passed: number;
  readonly failed: number;
}

interface Context {
  readonly target: Target;
  readonly heartbeatMs: number;
  readonly historyLimit: number;
  readonly bodyLimitBytes: number;
  /** A chat room whose topic has lost the event after `staleCursor` to history eviction (made once, on first use). */
  gap(): Promise<{ room: string; topic: string; staleCursor: string }>;
}

interface Check {
  readonly name: string;
  run(context: Context): Promise<void>;
}

function parseEnvelope(data: string | undefined, what: string): Record<string, unknown> {
  expectThat(data !== undefined, `${what} has no data line`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new CheckFailure(`${what} data is not JSON: ${data.slice(0, 200)}`);
  }
  expectThat(typeof parsed === 'object' && parsed !== null, `${what} data is not a JSON object: ${data.slice(0, 200)}`);
  return parsed as Record<string, unknown>;
}

async function expectError(
  context: Context,
  what: string,
  method: string,
  path: string,
  status: number,
  code: string | null,
  init: { headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<void> {
  const answer = await request(context.target, method, path, init);
  const got = errorCodeOf(answer);
  expectThat(
    answer.status === status && (code === null || got === code),
    `${what}: ${method} ${path} answered ${answer.status} ${answer.text.slice(0, 200)} (expected ${status}${code ? ` with error.code "${code}"` : ''})`,
  );
  expectThat(
    typeof got === 'string' && typeof (answer.json as { error?: { message?: unknown } }).error?.message === 'string',
    `${what}: the body is not { "error": { "code", "message" } }: ${answer.text.slice(0, 200)}`,
  );
}

const json = { 'Content-Type': 'application/json' };

const CHECKS: readonly Check[] = [
  {
    name: 'health: GET health answers 200 { status: "ok", connections }',
    async run({ target }) {
      const answer = await request(target, 'GET', '/health');
      const body = answer.json as { status?: unknown; connections?: unknown } | undefined;
      expectThat(answer.status === 200, `GET /health answered ${answer.status}`);
      expectThat(body?.status === 'ok', `GET /health answered ${answer.text.slice(0, 200)} (expected status "ok")`);
      expectThat(typeof body.connections === 'object' && body.connections !== null, 'GET /health has no connections object');
    },
  },
  {
    name: 'publish: 201 with { id, topic }',
    async run({ target }) {
      const topic = uniqueName('conf-pub');
      const answer = await request(target, 'POST', `/topics/${topic}/events`, { headers: json, body: '{"type":"x.created","data":{"n":1}}' });
      const body = answer.json as { id?: unknown; topic?: unknown } | undefined;
      expectThat(answer.status === 201, `POST answered ${answer.status} ${answer.text.slice(0, 200)} (expected 201)`);
      expectThat(typeof body?.id === 'string' && body.id !== '' && body.topic === topic, `POST answered ${answer.text} (expected { id, topic: "${topic}" })`);
    },
  },
  {
    name: 'publish: 400 invalid_json, invalid_body, invalid_type, reserved_type, invalid_topic',
    async run(context) {
      const topic = uniqueName('conf-pub');
      const post = (body: string) => ({ headers: json, body });
      await expectError(context, 'broken JSON', 'POST', `/topics/${topic}/events`, 400, 'invalid_json', post('{"type":'));
      await expectError(context, 'an array body', 'POST', `/topics/${topic}/events`, 400, 'invalid_body', post('[1]'));
      await expectError(context, 'a type with a space', 'POST', `/topics/${topic}/events`, 400, 'invalid_type', post('{"type":"a b","data":1}'));
      await expectError(context, 'the reserved type reset', 'POST', `/topics/${topic}/events`, 400, 'reserved_type', post('{"type":"reset","data":1}'));
      await expectError(context, 'a topic with a space', 'POST', '/topics/a%20b/events', 400, 'invalid_topic', post('{"type":"x","data":1}'));
    },
  },
  {
    name: 'publish: 415 for a body that is not JSON, 413 past the body limit',
    async run(context) {
      const topic = uniqueName('conf-pub');
      await expectError(context, 'text/plain', 'POST', `/topics/${topic}/events`, 415, 'unsupported_media_type', {
        headers: { 'Content-Type': 'text/plain' },
        body: '{"type":"x","data":1}',
      });
      const padding = 'x'.repeat(context.bodyLimitBytes);
      await expectError(context, 'a body one byte past the limit', 'POST', `/topics/${topic}/events`, 413, 'payload_too_large', {
        headers: json,
        body: `{"type":"x","data":"${padding}"}`,
      });
    },
  },
  {
    name: 'sse: headers, a retry: line first, then id/event/data frames with the whole event as one-line JSON',
    async run({ target }) {
      const topic = uniqueName('conf-sse');
      const stream = await RawSseStream.open(target, `/events/${topic}`);
      try {
        expectThat(stream.status === 200, `GET /events/${topic} answered ${stream.status}`);
        const type = stream.headers.get('content-type') ?? '';
        expectThat(type.startsWith('text/event-stream'), `Content-Type is "${type}" (expected text/event-stream)`);
        const cache = stream.headers.get('cache-control') ?? '';
        expectThat(cache.includes('no-cache'), `Cache-Control is "${cache}" (expected no-cache)`);
        await stream.waitFor((frames) => frames.length > 0, 'the first frame');
        const first = stream.frames[0];
        expectThat(/^\d+$/.test(first.get('retry') ?? ''), `the first frame is ${show(first.fields)} (expected a retry: line)`);
        const id = await publish(target, topic, 'line.breaks', { text: 'a\nb\r\nc', n: 1 });
        await stream.waitFor((frames) => frames.some((frame) => frame.get('id') === id), `the frame of event ${id}`);
        const frame = stream.frames.find((candidate) => candidate.get('id') === id)!;
        expectThat(frame.get('event') === 'line.breaks', `event: is "${frame.get('event')}" (expected line.breaks)`);
        expectThat(frame.fields.filter(([field]) => field === 'data').length === 1, `the event has ${frame.fields.length} lines: ${show(frame.fields)} (expected one data line)`);
        const event = parseEnvelope(frame.get('data'), 'the event');
        expectThat(
          event['id'] === id && event['topic'] === topic && event['type'] === 'line.breaks' && typeof event['ts'] === 'number' &&
            show(event['data']) === show({ text: 'a\nb\r\nc', n: 1 }),
          `data is ${show(event)} (expected { id, topic, type, data, ts } of the published event)`,
        );
      } finally {
        stream.close();
      }
    },
  },
  {
    name: 'sse: the eventsource package receives events with their id as lastEventId; a new stream starts at the head',
    async run({ target }) {
      const topic = uniqueName('conf-sse');
      await publish(target, topic, 'before', { n: 0 });
      const source = new PackageSseStream(target, `/events/${topic}`, ['before', 'after']);
      try {
        // The stream is live once the server's first frame (retry or a cursor notice) is in; publish until one event arrives.
        let id = '';
        for (let attempt = 0; attempt < 50 && source.received.every((event) => event.type !== 'after'); attempt++) {
          id = await publish(target, topic, 'after', { n: attempt + 1 });
          await delay(100);
        }
        await source.waitFor((events) => events.some((event) => event.type === 'after'), 'an event through EventSource');
        expectThat(!source.received.some((event) => event.type === 'before'), 'an event published before the stream opened was delivered (a new stream starts at the head)');
        const first = source.received.find((event) => event.type === 'after')!;
        expectThat(first.lastEventId !== '', 'the event has no id (lastEventId is empty)');
        expectThat(parseEnvelope(first.data, 'the event')['id'] === first.lastEventId, `the event's data.id differs from its SSE id ${first.lastEventId}`);
        void id;
      } finally {
        source.close();
      }
    },
  },
  {
    name: 'sse: resumes after Last-Event-ID (header, and through the eventsource package) and ?lastEventId=',
    async run({ target }) {
      const topic = uniqueName('conf-sse');
      const ids: string[] = [];
      for (let n = 1; n <= 3; n++) ids.push(await publish(target, topic, 'step', { n }));
      const raw = await RawSseStream.open(target, `/events/${topic}`, { 'Last-Event-ID': ids[0] });
      const query = await RawSseStream.open(target, `/events/${topic}?lastEventId=${encodeURIComponent(ids[1])}`);
      const source = new PackageSseStream(target, `/events/${topic}`, ['step'], { 'Last-Event-ID': ids[0] });
      try {
        await raw.waitFor((frames) => frames.some((frame) => frame.get('id') === ids[2]), 'events after Last-Event-ID');
        const rawIds = raw.events().filter((frame) => frame.get('event') === 'step').map((frame) => frame.get('id'));
        expectThat(show(rawIds) === show(ids.slice(1)), `after Last-Event-ID ${ids[0]} got ${show(rawIds)} (expected ${show(ids.slice(1))})`);
        await query.waitFor((frames) => frames.some((frame) => frame.get('id') === ids[2]), 'events after ?lastEventId=');
        const queryIds = query.events().filter((frame) => frame.get('event') === 'step').map((frame) => frame.get('id'));
        expectThat(show(queryIds) === show(ids.slice(2)), `after ?lastEventId=${ids[1]} got ${show(queryIds)} (expected ${show(ids.slice(2))})`);
        await source.waitFor((events) => events.some((event) => event.lastEventId === ids[2]), 'events through EventSource');
        const sourceIds = source.received.filter((event) => event.type === 'step').map((event) => event.lastEventId);
        expectThat(show(sourceIds) === show(ids.slice(1)), `EventSource got ${show(sourceIds)} (expected ${show(ids.slice(1))})`);
      } finally {
        raw.close();
        query.close();
        source.close();
      }
    },
  },
  {
    name: 'sse: a cursor older than the history gets event: reset { reason, cursor }, then live events',
    async run(context) {
      const { topic, staleCursor } = await context.gap();
      const stream = await RawSseStream.open(context.target, `/events/${encodeURIComponent(topic)}`, { 'Last-Event-ID': staleCursor });
      try {
        await stream.waitFor((frames) => frames.some((frame) => frame.get('event') === 'reset'), 'event: reset');
        const reset = parseEnvelope(stream.frames.find((frame) => frame.get('event') === 'reset')!.get('data'), 'the reset');
        expectThat(typeof reset['reason'] === 'string' && typeof reset['cursor'] === 'string', `reset data is ${show(reset)} (expected { reason, cursor })`);
        const id = await publish(context.target, topic, 'after.reset', { n: 1 });
        await stream.waitFor((frames) => frames.some((frame) => frame.get('id') === id), 'a live event after the reset');
      } finally {
        stream.close();
      }
    },
  },
  {
    name: 'sse: a ": ping" comment within the heartbeat interval',
    async run({ target, heartbeatMs }) {
      const stream = await RawSseStream.open(target, `/events/${uniqueName('conf-sse')}`);
      try {
        await stream.waitFor(
          (frames) => frames.some((frame) => frame.fields.some(([field]) => field === ':')),
          'a comment line',
          heartbeatMs + 5000,
        );
      } finally {
        stream.close();
      }
    },
  },
  {
    name: 'sse: 400 invalid_topic for a bad topic',
    async run(context) {
      await expectError(context, 'a topic with a space', 'GET', '/events/a%20b', 400, 'invalid_topic');
    },
  },
  {
    name: 'long poll: no cursor answers at once with the head cursor; a cursor gets the events after it',
    async run({ target }) {
      const topic = uniqueName('conf-poll');
      const head = await request(target, 'GET', `/poll/${topic}?timeout=0`);
      const first = head.json as { events?: unknown; cursor?: unknown } | undefined;
      expectThat(head.status === 200, `GET /poll answered ${head.status} ${head.text.slice(0, 200)}`);
      expectThat(Array.isArray(first?.events) && first.events.length === 0, `GET /poll without cursor answered ${head.text} (expected no events)`);
      expectThat(typeof first.cursor === 'string' && first.cursor !== '', `GET /poll without cursor answered ${head.text} (expected a non-empty cursor)`);
      const ids = [await publish(target, topic, 'a', 1), await publish(target, topic, 'b', 2)];
      const answer = await request(target, 'GET', `/poll/${topic}?cursor=${encodeURIComponent(first.cursor)}`);
      const body = answer.json as { events: { id: string; topic: string; type: string; data: unknown; ts: number }[]; cursor: string };
      expectThat(answer.status === 200, `GET /poll?cursor answered ${answer.status}`);
      expectThat(show(body.events.map((event) => event.id)) === show(ids), `got ${show(body.events.map((e) => e.id))} (expected ${show(ids)})`);
      expectThat(body.events[1].type === 'b' && body.events[1].data === 2 && body.events[1].topic === topic && typeof body.events[1].ts === 'number', `the event is ${show(body.events[1])}`);
      expectThat(body.cursor === ids[1], `cursor is ${show(body.cursor)} (expected the last id ${ids[1]})`);
    },
  },
  {
    name: 'long poll: limit caps a page; the cursor continues from the last event returned',
    async run({ target }) {
      const topic = uniqueName('conf-poll');
      const { cursor } = (await request(target, 'GET', `/poll/${topic}?timeout=0`)).json as { cursor: string };
      const ids: string[] = [];
      for (let n = 1; n <= 3; n++) ids.push(await publish(target, topic, 'x', n));
      const page = (await request(target, 'GET', `/poll/${topic}?cursor=${encodeURIComponent(cursor)}&limit=2`)).json as { events: { id: string }[]; cursor: string };
      expectThat(show(page.events.map((event) => event.id)) === show(ids.slice(0, 2)) && page.cursor === ids[1], `limit=2 answered ${show(page)}`);
      const rest = (await request(target, 'GET', `/poll/${topic}?cursor=${encodeURIComponent(page.cursor)}&limit=2`)).json as { events: { id: string }[] };
      expectThat(show(rest.events.map((event) => event.id)) === show(ids.slice(2)), `the next page is ${show(rest)}`);
    },
  },
  {
    name: 'long poll: holds until timeout and answers empty with the same cursor; an event ends the hold',
    async run({ target }) {
      const topic = uniqueName('conf-poll');
      const { cursor } = (await request(target, 'GET', `/poll/${topic}?timeout=0`)).json as { cursor: string };
      const empty = (await request(target, 'GET', `/poll/${topic}?cursor=${encodeURIComponent(cursor)}&timeout=300`)).json as { events: unknown[]; cursor: string };
      expectThat(empty.events.length === 0 && empty.cursor === cursor, `timeout=300 answered ${show(empty)} (expected no events and cursor ${cursor})`);
      const held = request(target, 'GET', `/poll/${topic}?cursor=${encodeURIComponent(cursor)}&timeout=20000`);
      await delay(300);
      const id = await publish(target, topic, 'x', 1);
      const answer = (await held).json as { events: { id: string }[] };
      expectThat(answer.events.length === 1 && answer.events[0].id === id, `the held poll answered ${show(answer)} (expected the event ${id})`);
    },
  },
  {
    name: 'long poll: 400 invalid_timeout, invalid_limit, invalid_topic for bad input',
    async run(context) {
      const topic = uniqueName('conf-poll');
      for (const value of ['abc', '-1', '1.5', '60001']) {
        await expectError(context, `timeout=${value}`, 'GET', `/poll/${topic}?timeout=${value}`, 400, 'invalid_timeout');
      }
      for (const value of ['0', 'x', '1e2', '1001']) {
        await expectError(context, `limit=${value}`, 'GET', `/poll/${topic}?timeout=0&limit=${value}`, 400, 'invalid_limit');
      }
      await expectError(context, 'a topic with a space', 'GET', '/poll/a%20b?timeout=0', 400, 'invalid_topic');
    },
  },
  {
    name: 'long poll: a cursor older than the history answers reset: true with a cursor',
    async run(context) {
      const { topic, staleCursor } = await context.gap();
      const answer = await request(context.target, 'GET', `/poll/${encodeURIComponent(topic)}?cursor=${encodeURIComponent(staleCursor)}&timeout=0`);
      const body = answer.json as { reset?: unknown; cursor?: unknown; events?: unknown };
      expectThat(answer.status === 200 && body.reset === true && typeof body.cursor === 'string' && Array.isArray(body.events), `the stale cursor answered ${answer.status} ${answer.text.slice(0, 300)}`);
    },
  },
  ...chatChecks('websocket'),
  ...chatChecks('sse'),
  ...chatChecks('long-poll'),
  {
    name: 'chat over SSE: other members see the member join, and leave when its stream closes',
    async run({ target }) {
      const room = uniqueName('conf-room');
      const watcher = await openChat(target, 'conf-w', 'websocket');
      const member = await openChat(target, 'conf-m', 'sse');
      try {
        watcher.send({ type: 'join', room });
        await watcher.next((frame) => frame.type === 'joined', 'joined');
        member.send({ type: 'join', room });
        await member.next((frame) => frame.type === 'joined', 'the SSE member joined');
        const user = (member.frames.find((frame) => frame.type === 'welcome') as { user?: string }).user;
        // Presence counts users, not connections: with one token both connections are the same user,
        // who never leaves while the watcher stays. Without a token the two names differ.
        if (user === (watcher.frames.find((frame) => frame.type === 'welcome') as { user?: string } | undefined)?.user) return;
        await watcher.next((frame) => frame.type === 'presence' && show(frame['joined']).includes(String(user)), `presence joined ${user}`);
        member.close();
        await watcher.next((frame) => frame.type === 'presence' && show(frame['left']).includes(String(user)), `presence left ${user} after the stream closed`);
      } finally {
        watcher.close();
        member.close();
      }
    },
  },
  {
    name: 'chat over HTTP: members over SSE, long poll and WebSocket share a room (each POST and poll on a connection of its own): every message acked once and seen by all in one order; typing and leaving reach the others',
    async run({ target }) {
      const room = uniqueName('conf-room');
      const members = [
        await openChat(target, 'conf-s', 'sse'),
        await openChat(target, 'conf-p', 'long-poll'),
        await openChat(target, 'conf-w', 'websocket'),
      ];
      try {
        for (const member of members) {
          member.send({ type: 'join', room });
          await member.next((frame) => frame.type === 'joined' && frame['room'] === room, `${member.transport}: joined`);
        }
        const acked: string[] = [];
        for (const member of members) {
          const clientId = uniqueName('c');
          member.send({ type: 'send', room, clientId, text: `over ${member.transport}` });
          const ack = await member.next((frame) => frame.type === 'ack' && frame['clientId'] === clientId, `${member.transport}: ack`);
          acked.push(String(ack['id']));
        }
        const messageIds = (member: ChatChannel) =>
          member.frames.filter((frame) => frame.type === 'message' && frame['room'] === room).map((frame) => (frame['event'] as { id?: unknown }).id);
        for (const member of members) {
          await member.next(() => messageIds(member).length >= acked.length, `${member.transport}: all ${acked.length} messages`);
          expectThat(show(messageIds(member)) === show(acked), `${member.transport} saw messages ${show(messageIds(member))} (expected ${show(acked)}, once each)`);
          const acks = member.frames.filter((frame) => frame.type === 'ack');
          expectThat(acks.length === 1, `${member.transport} got ${acks.length} acks for one send: ${show(acks)}`);
        }
        const users = members.map((member) => String(member.frames.find((frame) => frame.type === 'welcome')?.['user']));
        // With one token every member is the same user: typing and presence are per user, so there is nothing to see.
        if (new Set(users).size < members.length) return;
        for (const [index, typist] of members.entries()) {
          const marks = members.map((member) => member.frames.length);
          typist.send({ type: 'typing', room });
          for (const [other, member] of members.entries()) {
            if (other === index) continue;
            await member.next((frame) => frame.type === 'typing' && frame['user'] === users[index], `${member.transport}: typing of the ${typist.transport} member`, marks[other]);
          }
        }
        const [leaving, ...staying] = members;
        // A join and a leave inside one presence window cancel out: leave only once the join was announced.
        await leaving.next((frame) => frame.type === 'presence' && show(frame['joined']).includes(users[0]), `${leaving.transport}: presence joined ${users[0]}`);
        const marks = staying.map((member) => member.frames.length);
        leaving.send({ type: 'leave', room });
        await leaving.next((frame) => frame.type === 'left' && frame['room'] === room, `${leaving.transport}: left`);
        for (const [index, member] of staying.entries()) {
          await member.next(
            (frame) => frame.type === 'presence' && show(frame['left']).includes(users[0]),
            `${member.transport}: presence left ${users[0]}`,
            marks[index],
          );
        }
      } finally {
        for (const member of members) member.close();
      }
    },
  },
  {
    name: 'chat over HTTP: a POST to an unknown connection is 404 unknown_connection; a body that is not JSON is 415',
    async run(context) {
      await expectError(context, 'unknown connection', 'POST', '/chat/sessions/no-such-connection', 404, 'unknown_connection', {
        headers: json,
        body: '{"type":"ping"}',
      });
      await expectError(context, 'unknown poll connection', 'GET', '/chat/poll?connectionId=no-such-connection&after=0&timeout=0', 404, 'unknown_connection');
      const chat = await openChat(context.target, 'conf-415', 'sse');
      try {
        const id = String(chat.frames[0]?.['connectionId']);
        await expectError(context, 'text body', 'POST', `/chat/sessions/${id}`, 415, 'unsupported_media_type', {
          headers: { 'Content-Type': 'text/plain' },
          body: '{"type":"ping"}',
        });
      } finally {
        chat.close();
      }
    },
  },
];

/** The chat checks over one transport; the WebSocket ones keep the plain `chat:` prefix. */
function chatChecks(transport: ChatTransport): Check[] {
  const prefix = transport === 'websocket' ? 'chat' : transport === 'sse' ? 'chat over SSE' : 'chat over long poll';
  return [
    {
      name: `${prefix}: welcome { connectionId, user, heartbeatMs } on connect`,
      async run({ target }) {
        const socket = await openChat(target, 'conf-ann', transport);
        try {
          const welcome = await socket.next((frame) => frame.type === 'welcome', 'welcome');
          expectThat(
            typeof welcome['connectionId'] === 'string' && typeof welcome['user'] === 'string' && typeof welcome['heartbeatMs'] === 'number',
            `welcome is ${show(welcome)}`,
          );
          expectThat(socket.frames[0]?.type === 'welcome', `the first frame is ${show(socket.frames[0])} (expected welcome)`);
        } finally {
          socket.close();
        }
      },
    },
    {
      name: `${prefix}: send gets an ack and a message to every member; a retried clientId gets the same ack and no second message`,
      async run({ target }) {
        const room = uniqueName('conf-room');
        const a = await openChat(target, 'conf-a', transport);
        const b = await openChat(target, 'conf-b', transport);
        try {
          for (const socket of [a, b]) {
            socket.send({ type: 'join', room });
            const joined = await socket.next((frame) => frame.type === 'joined' && frame['room'] === room, 'joined');
            expectThat(Array.isArray(joined['history']) && Array.isArray(joined['members']), `joined is ${show(joined)}`);
          }
          const clientId = uniqueName('c');
          a.send({ type: 'send', room, clientId, text: 'hello' });
          const ack = await a.next((frame) => frame.type === 'ack' && frame['clientId'] === clientId, 'ack');
          expectThat(typeof ack['id'] === 'string', `ack is ${show(ack)}`);
          for (const socket of [a, b]) {
            const message = await socket.next((frame) => frame.type === 'message' && frame['room'] === room, 'message');
            const event = message['event'] as { id?: unknown; type?: unknown; data?: { text?: unknown; from?: unknown; clientId?: unknown } };
            expectThat(
              event.id === ack['id'] && event.type === 'message' && event.data?.text === 'hello' && event.data.clientId === clientId && typeof event.data.from === 'string',
              `message is ${show(message)}`,
            );
          }
          const seen = b.frames.length;
          a.send({ type: 'send', room, clientId, text: 'hello' });
          const again = await a.next((frame) => frame.type === 'ack' && frame['clientId'] === clientId, 'the second ack', a.frames.indexOf(ack) + 1);
          expectThat(again['id'] === ack['id'], `the retried send was acked ${show(again['id'])} (expected ${show(ack['id'])})`);
          // A ping round trip after the retry: had the retry been broadcast, b would have it before its pong.
          b.send({ type: 'ping', t: 7 });
          await b.next((frame) => frame.type === 'pong', 'pong', seen);
          const extra = b.frames.slice(seen).filter((frame) => frame.type === 'message');
          expectThat(extra.length === 0, `the retried send was broadcast again: ${show(extra)}`);
        } finally {
          a.close();
          b.close();
        }
      },
    },
    {
      name: `${prefix}: join with since gets the messages after it; a stale since gets reset: true`,
      async run(context) {
        const room = uniqueName('conf-room');
        const a = await openChat(context.target, 'conf-a', transport);
        const b = await openChat(context.target, 'conf-b', transport);
        try {
          a.send({ type: 'join', room });
          await a.next((frame) => frame.type === 'joined', 'joined');
          const acks: string[] = [];
          for (const text of ['one', 'two', 'three']) {
            const clientId = uniqueName('c');
            a.send({ type: 'send', room, clientId, text });
            acks.push((await a.next((frame) => frame.type === 'ack' && frame['clientId'] === clientId, 'ack'))['id'] as string);
          }
          b.send({ type: 'join', room, since: acks[0] });
          const joined = await b.next((frame) => frame.type === 'joined' && frame['room'] === room, 'joined with since');
          const history = (joined['history'] as { id: string; data: { text: string } }[]).map((event) => event.data.text);
          expectThat(show(history) === show(['two', 'three']) && joined['reset'] !== true, `joined with since answered ${show(joined)} (expected history two, three)`);
          const gap = await context.gap();
          b.send({ type: 'join', room: gap.room, since: gap.staleCursor });
          const stale = await b.next((frame) => frame.type === 'joined' && frame['room'] === gap.room, 'joined with a stale since');
          expectThat(stale['reset'] === true, `joined with a stale since answered ${show({ ...stale, history: '...' })} (expected reset: true)`);
        } finally {
          a.close();
          b.close();
        }
      },
    },
    {
      name: `${prefix}: bad frames (not JSON, unknown type, bad fields, binary) get an error frame and the connection stays open`,
      async run({ target }) {
        const socket = await openChat(target, 'conf-bad', transport);
        try {
          await socket.next((frame) => frame.type === 'welcome', 'welcome');
          const bad: [string, () => void][] = [
            ['invalid JSON', () => socket.send('{not json')],
            ['an unknown type', () => socket.send({ type: 'dance' })],
            ['a send without text', () => socket.send({ type: 'send', room: 'r', clientId: 'c' })],
          ];
          if (socket instanceof ChatSocket) bad.push(['a binary frame', () => socket.sendBinary(new Uint8Array([1, 2, 3]))]);
          for (const [what, send] of bad) {
            const from = socket.frames.length;
            send();
            const error: ChatFrame = await socket.next((frame) => frame.type === 'error', `an error frame for ${what}`, from);
            expectThat(typeof error['code'] === 'string' && typeof error['message'] === 'string', `the error frame for ${what} is ${show(error)}`);
          }
          const from = socket.frames.length;
          socket.send({ type: 'ping', t: 42 });
          const pong = await socket.next((frame) => frame.type === 'pong', 'pong after the bad frames', from);
          expectThat(pong['t'] === 42 && socket.open, `pong is ${show(pong)}`);
        } finally {
          socket.close();
        }
      },
    },
  ];
}

/** Names of every check, in the order they run. */
export const CONFORMANCE_CHECKS: readonly string[] = CHECKS.map((check) => check.name);

/**
 * Runs every check against `baseUrl` and reports each one; never throws for a
 * failing server (a failure is a result).
 *
 * @example
 * const report = await runConformance({ baseUrl: 'http://localhost:8080/api' });
 * console.log(`${report.passed} passed, ${report.failed} failed`);
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const target: Target = { baseUrl: options.baseUrl.replace(/\/+$/, ''), token: options.token ?? null };
  const historyLimit = options.historyLimit ?? 1000;
  let gap: Promise<{ room: string; topic: string; staleCursor: string }> | undefined;
  const context: Context = {
    target,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    historyLimit,
    bodyLimitBytes: options.bodyLimitBytes ?? 65_536,
    gap: () => (gap ??= makeGap(target, historyLimit)),
  };
  const results: CheckResult[] = [];
  for (const check of CHECKS) {
    const started = Date.now();
    let result: CheckResult;
    try {
      await check.run(context);
      result = { name: check.name, passed: true, ms: Date.now() - started };
    } catch (error) {
      const message = error instanceof CheckFailure ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
      result = { name: check.name, passed: false, message, ms: Date.now() - started };
    }
    results.push(result);
    options.onResult?.(result);
  }
  const passed = results.filter((result) => result.passed).length;
  return { results, passed, failed: results.length - passed };
}

/**
 * A chat room whose first event is gone: history keeps at most 1.1 x
 * historyLimit events per topic, so after that many more the event after
 * `staleCursor` has been evicted.
 */
async function makeGap(target: Target, historyLimit: number): Promise<{ room: string; topic: string; staleCursor: string }> {
  const room = uniqueName('conf-gap');
  const topic = `chat:${room}`;
  const staleCursor = await publish(target, topic, 'fill', { n: 0 });
  const total = Math.ceil(historyLimit * 1.1) + 2;
  let next = 1;
  const worker = async (): Promise<void> => {
    while (next <= total) {
      const n = next++;
      await publish(target, topic, 'fill', { n });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return { room, topic, staleCursor };
}
