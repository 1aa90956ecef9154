import { ChatFrameError } from '../src/transports/chat/chat-errors';
import { parseClientFrame } from '../src/transports/chat/frame-parser';

function failure(raw: string): { code: string; ref?: string } {
  try {
    parseClientFrame(raw);
  } catch (error) {
    if (error instanceof ChatFrameError) return { code: error.code, ref: error.ref };
    throw error;
  }
  throw new Error(`expected ${raw} to be refused`);
}

describe('parseClientFrame', () => {
  it('parses every client frame type', () => {
    expect(parseClientFrame('{"type":"join","room":"lobby"}')).toEqual({ type: 'join', room: 'lobby', since: null });
    expect(parseClientFrame('{"type":"join","room":"a.b:c-d_1","since":"x-1"}')).toEqual({
      type: 'join',
      room: 'a.b:c-d_1',
      since: 'x-1',
    });
    expect(parseClientFrame('{"type":"leave","room":"lobby"}')).toEqual({ type: 'leave', room: 'lobby' });
    expect(parseClientFrame('{"type":"typing","room":"lobby"}')).toEqual({ type: 'typing', room: 'lobby' });
    expect(parseClientFrame('{"type":"send","room":"lobby","clientId":"c1","text":"hi"}')).toEqual({
      type: 'send',
      room: 'lobby',
      clientId: 'c1',
      text: 'hi',
    });
    expect(parseClientFrame('{"type":"ping","t":42}')).toEqual({ type: 'ping', t: 42 });
    expect(parseClientFrame('{"type":"ping"}')).toEqual({ type: 'ping' });
  });

  it('treats an empty or null since as no cursor', () => {
    expect(parseClientFrame('{"type":"join","room":"r","since":""}')).toMatchObject({ since: null });
    expect(parseClientFrame('{"type":"join","room":"r","since":null}')).toMatchObject({ since: null });
  });

  it('refuses text that is not a JSON object', () => {
    expect(failure('not json').code).toBe('invalid_json');
    expect(failure('[1,2]').code).toBe('invalid_json');
    expect(failure('"join"').code).toBe('invalid_json');
    expect(failure('null').code).toBe('invalid_json');
  });

  it('refuses a missing or unknown type', () => {
    expect(failure('{"room":"lobby"}').code).toBe('unknown_type');
    expect(failure('{"type":"shout","room":"lobby"}').code).toBe('unknown_type');
    expect(failure('{"type":7}').code).toBe('unknown_type');
  });

  it('refuses room names that would not make a valid topic', () => {
    expect(failure('{"type":"join"}').code).toBe('invalid_room');
    expect(failure('{"type":"join","room":""}').code).toBe('invalid_room');
    expect(failure('{"type":"join","room":"-lobby"}').code).toBe('invalid_room');
    expect(failure('{"type":"join","room":"a b"}')).toEqual({ code: 'invalid_room', ref: 'a b' });
    expect(failure(JSON.stringify({ type: 'join', room: 'r'.repeat(124) })).code).toBe('invalid_room');
    expect(parseClientFrame(JSON.stringify({ type: 'join', room: 'r'.repeat(123) }))).toMatchObject({ type: 'join' });
    expect(failure('{"type":"typing","room":42}').code).toBe('invalid_room');
  });

  it('refuses a since that is not a string', () => {
    expect(failure('{"type":"join","room":"r","since":5}').code).toBe('invalid_field');
  });

  it('bounds send text to 1..4000 code points and names the clientId in the error', () => {
    const send = (text: unknown) => JSON.stringify({ type: 'send', room: 'r', clientId: 'c9', text });
    expect(failure(send(''))).toEqual({ code: 'invalid_field', ref: 'c9' });
    expect(failure(send(12)).code).toBe('invalid_field');
    expect(failure(send('a'.repeat(4001))).code).toBe('invalid_field');
    expect(parseClientFrame(send('a'.repeat(4000)))).toMatchObject({ type: 'send' });
    // 4000 emoji are 8000 UTF-16 units but 4000 code points.
    expect(parseClientFrame(send('😀'.repeat(4000)))).toMatchObject({ type: 'send' });
    expect(failure(send('😀'.repeat(4001))).code).toBe('invalid_field');
  });

  it('bounds clientId to 1..128 characters', () => {
    const send = (clientId: unknown) => JSON.stringify({ type: 'send', room: 'r', clientId, text: 'hi' });
    expect(failure(send('')).code).toBe('invalid_field');
    expect(failure(send(undefined)).code).toBe('invalid_field');
    expect(failure(send('c'.repeat(129))).code).toBe('invalid_field');
    expect(parseClientFrame(send('c'.repeat(128)))).toMatchObject({ clientId: 'c'.repeat(128) });
  });

  it('refuses a send to a bad room with the clientId as ref', () => {
    expect(failure('{"type":"send","room":"no room","clientId":"c2","text":"x"}')).toEqual({
      code: 'invalid_room',
      ref: 'c2',
    });
  });

  it('accepts a numeric or short string ping token only', () => {
    expect(parseClientFrame('{"type":"ping","t":"abc"}')).toEqual({ type: 'ping', t: 'abc' });
    expect(failure('{"type":"ping","t":{"a":1}}').code).toBe('invalid_field');
    expect(failure(JSON.stringify({ type: 'ping', t: 'x'.repeat(65) })).code).toBe('invalid_field');
  });
});
