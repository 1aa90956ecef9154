import { ChatTestClient } from './support/chat-client';
import { startChatServer, type ChatTestServer } from './support/chat-server';

/** Each bad frame, the error code it gets, and the ref (if any) the error carries. */
const BAD_FRAMES: { what: string; frame: string | Buffer; code: string; ref?: string }[] = [
  { what: 'invalid JSON', frame: '{"type":"join",', code: 'invalid_json' },
  { what: 'a JSON array', frame: '[{"type":"ping"}]', code: 'invalid_json' },
  { what: 'a JSON string', frame: '"ping"', code: 'invalid_json' },
  { what: 'a binary frame', frame: Buffer.from('{"type":"ping"}'), code: 'binary_frame' },
  { what: 'a missing type', frame: '{"room":"lobby"}', code: 'unknown_type' },
  { what: 'an unknown type', frame: '{"type":"shout","room":"lobby"}', code: 'unknown_type' },
  { what: 'a join without room', frame: '{"type":"join"}', code: 'invalid_room' },
  { what: 'a bad room name', frame: '{"type":"join","room":"../etc"}', code: 'invalid_room', ref: '../etc' },
  { what: 'a room name too long', frame: JSON.stringify({ type: 'join', room: 'r'.repeat(124) }), code: 'invalid_room', ref: 'r'.repeat(124) },
  { what: 'a numeric since', frame: '{"type":"join","room":"lobby","since":7}', code: 'invalid_field', ref: 'lobby' },
  { what: 'a since never issued', frame: '{"type":"join","room":"other","since":"x"}', code: 'invalid_cursor', ref: 'other' },
  { what: 'a send without clientId', frame: '{"type":"send","room":"lobby","text":"hi"}', code: 'invalid_field' },
  {
    what: 'a clientId over 128 characters',
    frame: JSON.stringify({ type: 'send', room: 'lobby', clientId: 'c'.repeat(129), text: 'hi' }),
    code: 'invalid_field',
  },
  { what: 'an empty text', frame: '{"type":"send","room":"lobby","clientId":"c1","text":""}', code: 'invalid_field', ref: 'c1' },
  {
    what: 'a text over 4000 code points',
    frame: JSON.stringify({ type: 'send', room: 'lobby', clientId: 'c2', text: 'x'.repeat(4001) }),
    code: 'invalid_field',
    ref: 'c2',
  },
  { what: 'a text that is not a string', frame: '{"type":"send","room":"lobby","clientId":"c3","text":5}', code: 'invalid_field', ref: 'c3' },
  { what: 'a send to a bad room', frame: '{"type":"send","room":"a b","clientId":"c4","text":"x"}', code: 'invalid_room', ref: 'c4' },
  { what: 'a send to a room not joined', frame: '{"type":"send","room":"other","clientId":"c5","text":"x"}', code: 'not_joined', ref: 'c5' },
  { what: 'typing in a room not joined', frame: '{"type":"typing","room":"other"}', code: 'not_joined', ref: 'other' },
  { what: 'leaving a room not joined', frame: '{"type":"leave","room":"other"}', code: 'not_joined', ref: 'other' },
  { what: 'joining a room twice', frame: '{"type":"join","room":"lobby"}', code: 'already_joined', ref: 'lobby' },
  { what: 'a ping with an object token', frame: '{"type":"ping","t":{}}', code: 'invalid_field' },
];

// Socket round trips on a loaded machine: leave room above the waits in support/chat-client.ts.
jest.setTimeout(30_000);

describe('chat bad frames', () => {
  let server: ChatTestServer;
  let client: ChatTestClient;

  beforeAll(async () => {
    server = await startChatServer();
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(async () => {
    client = await ChatTestClient.connect(`${server.wsUrl}?name=tester`);
    await client.join('lobby');
  });

  afterEach(async () => {
    await client.close();
  });

  it.each(BAD_FRAMES)('answers $what with error $code and keeps the connection working', async ({ what, frame, code, ref }) => {
    if (typeof frame === 'string') client.send(frame);
    else client.socket.send(frame, { binary: true });
    const error = await client.next('error');
    expect(error).toEqual({ type: 'error', code, message: expect.any(String), ...(ref === undefined ? {} : { ref }) });
    expect(error.message.length).toBeGreaterThan(0);

    const ack = await client.say('lobby', `after ${what}`, 'still here');
    expect(ack.id).toEqual(expect.any(String));
    await client.next('message', (m) => m.event.id === ack.id);
    expect(client.all('error')).toHaveLength(1);
    expect(server.log.retainedCount('chat:other')).toBe(0);
  });

  it('answers a join past CHAT_MAX_ROOMS_PER_CONNECTION with too_many_rooms', async () => {
    const limited = await startChatServer({ CHAT_MAX_ROOMS_PER_CONNECTION: '2' });
    const ada = await ChatTestClient.connect(limited.wsUrl);
    try {
      await ada.join('one');
      await ada.join('two');
      ada.send({ type: 'join', room: 'three' });
      expect(await ada.next('error')).toMatchObject({ code: 'too_many_rooms', ref: 'three' });
      ada.send({ type: 'leave', room: 'one' });
      await ada.next('left');
      expect((await ada.join('three')).room).toBe('three');
    } finally {
      await ada.close();
      await limited.close();
    }
  });

  it('keeps serving a good client while another sends garbage', async () => {
    const good = await ChatTestClient.connect(`${server.wsUrl}?name=good`);
    const bad = await ChatTestClient.connect(`${server.wsUrl}?name=bad`);
    try {
      await good.join('lobby');
      await bad.join('lobby');
      const garbage = ['nope', '{}', '{"type":"send"}', '{"type":"join","room":""}', '[]', '{"type":"typing","room":"x"}'];
      for (let round = 0; round < 5; round++) for (const frame of garbage) bad.send(frame);
      for (let i = 0; i < 5; i++) await good.say('lobby', `g-${i}`, `good ${i}`);
      await bad.nth(garbage.length * 5, 'error');
      await Promise.all([good.sync(), bad.sync()]);
      expect(good.all('error')).toHaveLength(0);
      expect(good.all('message').map((m) => m.event.data.text)).toEqual([0, 1, 2, 3, 4].map((i) => `good ${i}`));
      expect(bad.all('message')).toHaveLength(5);
      expect(bad.socket.readyState).toBe(bad.socket.OPEN);
    } finally {
      await good.close();
      await bad.close();
    }
  });

  it('closes with 1007 on a text frame that is not UTF-8 (ws protocol rule)', async () => {
    client.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await client.closed).code).toBe(1007);
  });
});
