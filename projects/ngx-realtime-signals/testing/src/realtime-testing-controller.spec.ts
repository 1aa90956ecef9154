import { TestBed } from '@angular/core/testing';
import {
  type ɵPollRequest as PollRequest,
  type ɵPollResponse as PollResponse,
  type RealtimeError,
  ɵRealtimeTransports as RealtimeTransports,
  type ɵSocketSink as SocketSink,
  type ɵStreamSink as StreamSink,
} from 'ngx-realtime-signals';
import { provideRealtimeTesting, RealtimeTestingController, TestPoll, TestSocket, TestStream } from 'ngx-realtime-signals/testing';

/** A sink that records what the transport reported, in order. */
function recordingStreamSink() {
  const calls: string[] = [];
  const sink: StreamSink = {
    opened: () => calls.push('opened'),
    event: (e) => calls.push(`event ${e.id} ${e.topic} ${e.type} ${JSON.stringify(e.data)}`),
    reset: (cursor) => calls.push(`reset ${cursor}`),
    position: (cursor) => calls.push(`position ${cursor}`),
    retryHint: (ms) => calls.push(`retry ${ms}`),
    activity: () => calls.push('activity'),
    closed: (error) => calls.push(`closed ${error.code} ${error.retryable}`),
  };
  return { sink, calls };
}

function recordingSocketSink() {
  const frames: { type: string; [k: string]: unknown }[] = [];
  const closed: RealtimeError[] = [];
  let opened = 0;
  const sink: SocketSink = {
    opened: () => opened++,
    message: (frame) => frames.push(frame),
    closed: (error) => closed.push(error),
  };
  return { sink, frames, closed, opened: () => opened };
}

function pollRequest(topic: string, cursor: string | null, signal = new AbortController().signal): PollRequest {
  return { url: `/api/poll/${topic}`, topic, cursor, timeoutMs: 25000, limit: 100, headers: {}, signal };
}

describe('RealtimeTestingController', () => {
  let transports: RealtimeTransports;
  let realtime: RealtimeTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideRealtimeTesting()] });
    transports = TestBed.inject(RealtimeTransports);
    realtime = TestBed.inject(RealtimeTestingController);
  });

  describe('expectOne', () => {
    it('returns the stream the client opened for the topic', () => {
      transports.openStream({ url: '/api/events/news', topic: 'news', cursor: 'e7', headers: {} }, recordingStreamSink().sink);

      const stream = realtime.expectOne({ transport: 'sse', topic: 'news' });

      expect(stream).toBeInstanceOf(TestStream);
      expect(stream.cursor).toBe('e7');
      expect(stream.request.url).toBe('/api/events/news');
    });

    it('says what it expected and lists the unclaimed connections when none matches', () => {
      transports.openStream({ url: '/api/events/news', topic: 'news', cursor: null, headers: {} }, recordingStreamSink().sink);
      void transports.poll(pollRequest('orders', 'e3'));

      expect(() => realtime.expectOne({ transport: 'sse', topic: 'alerts' })).toThrow(
        "Expected one sse connection for topic 'alerts', found none. Unclaimed connections:\n" +
          "  sse /api/events/news (topic 'news', cursor none, waiting to open)\n" +
          "  poll /api/poll/orders (topic 'orders', cursor 'e3', timeout 25000 ms, pending)",
      );
    });

    it('says so when nothing is open at all', () => {
      expect(() => realtime.expectOne({ transport: 'chat', room: 'lobby' })).toThrow(
        "Expected one chat connection that joined room 'lobby', found none. No unclaimed connections.",
      );
    });

    it('refuses to pick one of several matching connections', () => {
      const sink = recordingStreamSink().sink;
      transports.openStream({ url: '/api/events/a', topic: 'a', cursor: null, headers: {} }, sink);
      transports.openStream({ url: '/api/events/b', topic: 'b', cursor: null, headers: {} }, sink);

      expect(() => realtime.expectOne({ transport: 'sse' })).toThrow('Expected one sse connection, found 2.');
    });

    it('does not hand out the same connection twice', () => {
      transports.openStream({ url: '/api/events/a', topic: 'a', cursor: null, headers: {} }, recordingStreamSink().sink);
      realtime.expectOne({ transport: 'sse', topic: 'a' });

      expect(() => realtime.expectOne({ transport: 'sse', topic: 'a' })).toThrow(/found none/);
    });

    it('accepts a predicate and an own description', () => {
      transports.openStream({ url: '/api/events/a', topic: 'a', cursor: 'x', headers: { Authorization: 'Bearer t' } }, recordingStreamSink().sink);

      const stream = realtime.expectOne((c) => c.transport === 'sse' && c.request.headers['Authorization'] === 'Bearer t');

      expect(stream.transport).toBe('sse');
      expect(() => realtime.expectOne(() => true, 'an authorised stream')).toThrow(
        'Expected one authorised stream, found none.',
      );
    });
  });

  describe('expectNone and match', () => {
    it('expectNone passes when nothing matches and names the offenders when something does', () => {
      transports.openStream({ url: '/api/events/a', topic: 'a', cursor: null, headers: {} }, recordingStreamSink().sink);

      expect(() => realtime.expectNone({ transport: 'poll' })).not.toThrow();
      expect(() => realtime.expectNone({ transport: 'sse', topic: 'a' })).toThrow(
        "Expected no sse connection for topic 'a', found 1. Unclaimed connections:\n  sse /api/events/a",
      );
    });

    it('match claims every matching connection, oldest first', () => {
      void transports.poll(pollRequest('a', null));
      void transports.poll(pollRequest('b', null));
      transports.openStream({ url: '/api/events/a', topic: 'a', cursor: null, headers: {} }, recordingStreamSink().sink);

      const polls = realtime.match({ transport: 'poll' });

      expect(polls.map((p) => p.topic)).toEqual(['a', 'b']);
      expect(realtime.match({ transport: 'poll' })).toEqual([]);
    });
  });

  describe('verify', () => {
    it('passes when every connection was claimed', () => {
      transports.openStream({ url: '/api/events/a', topic: 'a', cursor: null, headers: {} }, recordingStreamSink().sink);
      realtime.expectOne({ transport: 'sse' });

      expect(() => realtime.verify()).not.toThrow();
    });

    it('lists the connections no expectation claimed', () => {
      transports.openSocket({ url: 'ws://localhost/api/chat?name=ada' }, recordingSocketSink().sink);

      expect(() => realtime.verify()).toThrow(
        'Expected no unclaimed realtime connections, found 1:\n  chat ws://localhost/api/chat?name=ada (rooms: none, waiting to open)',
      );
    });

    it('ignores connections the client already closed unless asked not to', () => {
      const teardown = transports.openStream({ url: '/api/events/a', topic: 'a', cursor: null, headers: {} }, recordingStreamSink().sink);
      teardown();

      expect(() => realtime.verify()).not.toThrow();
      expect(() => realtime.verify({ ignoreCancelled: false })).toThrow(/closed by the client/);
    });
  });

  describe('a stream handle', () => {
    it('opens, pushes events with defaults, resets, positions and hints like an SSE server', () => {
      const { sink, calls } = recordingStreamSink();
      transports.openStream({ url: '/api/events/news', topic: 'news', cursor: null, headers: {} }, sink);
      const stream = realtime.expectOne({ transport: 'sse', topic: 'news' });

      const first = stream.event({ type: 'post', data: { n: 1 } });
      stream.event({ id: 'custom', data: 2 });
      stream.reset('head');
      stream.position('here');
      stream.retryHint(500);

      expect(first).toEqual({ id: 'e1', topic: 'news', type: 'post', data: { n: 1 }, ts: expect.any(Number) });
      expect(calls).toEqual([
        'opened',
        'activity',
        'event e1 news post {"n":1}',
        'activity',
        'event custom news message 2',
        'activity',
        'reset head',
        'activity',
        'position here',
        'retry 500',
      ]);
    });

    it('drops with a retryable error and fails with a status that is not', () => {
      const dropped = recordingStreamSink();
      const failed = recordingStreamSink();
      transports.openStream({ url: '/api/events/a', topic: 'a', cursor: null, headers: {} }, dropped.sink);
      transports.openStream({ url: '/api/events/b', topic: 'b', cursor: null, headers: {} }, failed.sink);

      realtime.expectOne({ transport: 'sse', topic: 'a' }).drop();
      realtime.expectOne({ transport: 'sse', topic: 'b' }).fail(401);

      expect(dropped.calls).toEqual(['closed stream_ended true']);
      expect(failed.calls).toEqual(['closed http_error false']);
    });

    it('refuses to push into a stream the client closed, saying why', () => {
      const teardown = transports.openStream({ url: '/api/events/a', topic: 'a', cursor: null, headers: {} }, recordingStreamSink().sink);
      const stream = realtime.expectOne({ transport: 'sse', topic: 'a' });
      teardown();

      expect(stream.cancelled).toBe(true);
      expect(() => stream.event()).toThrow(
        "Cannot push an event: sse /api/events/a (topic 'a', cursor none, closed by the client) was already closed by the client.",
      );
    });

    it('reconnect resolves with the next stream the client opens for the topic', async () => {
      transports.openStream({ url: '/api/events/a', topic: 'a', cursor: null, headers: {} }, {
        ...recordingStreamSink().sink,
        closed: () => setTimeout(() => transports.openStream({ url: '/api/events/a', topic: 'a', cursor: 'e1', headers: {} }, recordingStreamSink().sink)),
      });
      const stream = realtime.expectOne({ transport: 'sse', topic: 'a' });

      const next = await stream.reconnect();

      expect(next).not.toBe(stream);
      expect(next.cursor).toBe('e1');
      expect(() => realtime.verify()).not.toThrow();
    });
  });

  describe('a poll handle', () => {
    it('answers with events and the last event id as the cursor', async () => {
      const answer = transports.poll(pollRequest('orders', 'e0'));
      const poll = realtime.expectOne({ transport: 'poll', topic: 'orders' });

      poll.flush({ events: [{ type: 'created' }, { type: 'paid', data: { total: 3 } }] });

      const response: PollResponse = await answer;
      expect(poll).toBeInstanceOf(TestPoll);
      expect(response.cursor).toBe(response.events[1].id);
      expect(response.events.map((e) => [e.topic, e.type])).toEqual([
        ['orders', 'created'],
        ['orders', 'paid'],
      ]);
    });

    it('answers an empty poll with the same cursor and a gap with reset', async () => {
      const empty = transports.poll(pollRequest('orders', 'e5'));
      realtime.expectOne({ transport: 'poll' }).flush();
      const gap = transports.poll(pollRequest('orders', 'old'));
      realtime.expectOne({ transport: 'poll' }).reset('head');

      await expect(empty).resolves.toEqual({ events: [], cursor: 'e5' });
      await expect(gap).resolves.toEqual({ events: [], cursor: 'head', reset: true });
    });

    it('rejects with a network error on drop and an HTTP error on fail', async () => {
      const dropped = transports.poll(pollRequest('a', null));
      const failed = transports.poll(pollRequest('b', null));

      realtime.expectOne({ transport: 'poll', topic: 'a' }).drop();
      realtime.expectOne({ transport: 'poll', topic: 'b' }).fail(503);

      await expect(dropped).rejects.toMatchObject({ code: 'network', retryable: true });
      await expect(failed).rejects.toEqual({ code: 'http_error', message: 'HTTP 503', status: 503, retryable: true });
    });

    it('counts as cancelled once the client aborts it', async () => {
      const abort = new AbortController();
      const answer = transports.poll(pollRequest('a', null, abort.signal));
      const poll = realtime.expectOne({ transport: 'poll' });

      abort.abort();

      await expect(answer).rejects.toMatchObject({ code: 'aborted' });
      expect(poll.cancelled).toBe(true);
      expect(() => poll.flush()).toThrow(/closed by the client/);
    });

    it('expectNext waits for the poll the client sends after an answer', async () => {
      const loop = async () => {
        const first = await transports.poll(pollRequest('a', null));
        await transports.poll(pollRequest('a', first.cursor)).catch(() => undefined);
      };
      void loop();
      realtime.expectOne({ transport: 'poll', topic: 'a' }).flush({ cursor: 'c1' });

      const next = await realtime.expectNext({ transport: 'poll', topic: 'a' });

      expect(next.cursor).toBe('c1');
    });
  });

  describe('a chat handle', () => {
    it('records frames, matches by joined room and answers as the chat server', () => {
      const { sink, frames, opened } = recordingSocketSink();
      const handle = transports.openSocket({ url: 'ws://localhost/api/chat?name=ada' }, sink);
      const socket = realtime.expectOne({ transport: 'chat' });
      socket.welcome();
      handle.send({ type: 'join', room: 'lobby' });
      handle.send({ type: 'send', room: 'lobby', clientId: 'c-1', text: 'hi' });
      handle.send({ type: 'send', room: 'lobby', clientId: 'c-2', text: 'again' });

      socket.joined('lobby', { members: ['ada'], history: [{ text: 'earlier', from: 'bob', id: 'h1' }] });
      const ack = socket.ack();
      socket.failSend();
      socket.message('lobby', { text: 'hello', from: 'bob' });

      expect(socket).toBeInstanceOf(TestSocket);
      expect(opened()).toBe(1);
      expect(socket.rooms).toEqual(['lobby']);
      expect(socket.expectSent({ type: 'send', clientId: 'c-2' })['text']).toBe('again');
      expect(ack.clientId).toBe('c-1');
      expect(frames.map((f) => f.type)).toEqual(['welcome', 'joined', 'ack', 'error', 'message']);
      expect(frames[0]).toMatchObject({ user: 'ada' });
      expect(frames[1]).toMatchObject({
        room: 'lobby',
        members: ['ada'],
        count: 1,
        history: [{ id: 'h1', topic: 'chat:lobby', type: 'message', data: { text: 'earlier', from: 'bob', clientId: null } }],
        cursor: 'h1',
      });
      expect(frames[3]).toMatchObject({ code: 'bad_request', ref: 'c-2' });
      expect(socket.unacknowledged).toEqual([]);
    });

    it('lists what the client sent when an expected frame is missing', () => {
      const handle = transports.openSocket({ url: 'ws://localhost/api/chat' }, recordingSocketSink().sink);
      const socket = realtime.expectOne({ transport: 'chat' });
      handle.send({ type: 'join', room: 'a' });

      expect(() => socket.expectSent({ type: 'join', room: 'b' })).toThrow(
        'Expected the client to have sent a frame like {"type":"join","room":"b"} on chat ws://localhost/api/chat ' +
          '(rooms: a, waiting to open); it sent:\n  {"type":"join","room":"a"}',
      );
    });

    it('refuses to acknowledge when no send is pending', () => {
      transports.openSocket({ url: 'ws://localhost/api/chat' }, recordingSocketSink().sink);
      const socket = realtime.expectOne({ transport: 'chat' });

      expect(() => socket.ack()).toThrow('Cannot acknowledge a send: the client has no unacknowledged send on chat');
    });

    it('reports drops and close codes as the real transport does', () => {
      const sinks = [recordingSocketSink(), recordingSocketSink(), recordingSocketSink()];
      sinks.forEach((s, n) => transports.openSocket({ url: `ws://localhost/api/chat?n=${n}` }, s.sink));
      const [dropped, expired, refused] = realtime.match({ transport: 'chat' });

      dropped.drop();
      expired.fail(4401);
      refused.fail(1008);

      expect(sinks.map((s) => s.closed)).toEqual([
        [{ code: 'socket_closed', message: 'The chat connection closed (1006).', retryable: true }],
        [{ code: 'token_expired', message: 'The chat connection closed (4401): the token expired.', retryable: true }],
        [{ code: 'socket_closed', message: 'The chat connection closed (1008).', retryable: false }],
      ]);
    });

    it('expectNext with a room resolves once the client joins it', async () => {
      const handle = transports.openSocket({ url: 'ws://localhost/api/chat' }, recordingSocketSink().sink);
      const joined = realtime.expectNext({ transport: 'chat', room: 'lobby' });

      handle.send({ type: 'join', room: 'lobby' });

      expect((await joined).rooms).toEqual(['lobby']);
    });
  });
});
