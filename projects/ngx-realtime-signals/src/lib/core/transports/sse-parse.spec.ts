import { readSseMessage, type SseMessage, type SseParse } from './sse-parse';

const message = (data: string, init: Partial<SseMessage> = {}): SseMessage => ({ id: undefined, event: 'message', ...init, data });
const read = (m: SseMessage, parse?: SseParse, lastEventId = '') => readSseMessage(m, 'news', lastEventId, parse);
const eventOf = (m: SseMessage, parse?: SseParse) => {
  const frame = read(m, parse);
  if (frame?.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(frame)}`);
  return frame.event;
};

describe('readSseMessage by default', () => {
  it('unwraps the JSON envelope of this library, its id winning over the SSE one', () => {
    const e = { id: 'k-1', topic: 'other', type: 'post', data: { text: 'hi' }, ts: 5 };
    expect(eventOf(message(JSON.stringify(e), { id: 'wire', event: 'post' }))).toEqual(e);
  });

  it('parses JSON data that is not the envelope', () => {
    const e = eventOf(message('{"text":"hi","n":[1,2]}', { id: '9', event: 'note' }));
    expect(e).toEqual({ id: '9', topic: 'news', type: 'note', data: { text: 'hi', n: [1, 2] }, ts: expect.any(Number) });
  });

  it.each([
    ['42', 42],
    ['"quoted"', 'quoted'],
    ['null', null],
    ['[1]', [1]],
  ])('parses the JSON value %s', (data, value) => {
    expect(eventOf(message(data)).data).toEqual(value);
  });

  it('keeps data that is not JSON as the raw text', () => {
    expect(eventOf(message('hello world')).data).toBe('hello world');
    expect(eventOf(message('{"broken"')).data).toBe('{"broken"');
    expect(eventOf(message('')).data).toBe('');
  });

  it('takes an object that lacks an envelope field for plain data', () => {
    expect(eventOf(message('{"id":"1","type":"x"}', { id: '3' }))).toMatchObject({ id: '3', type: 'message', data: { id: '1', type: 'x' } });
  });

  it('gives a message without an id an empty one, whatever the last event id', () => {
    expect(readSseMessage(message('1'), 'news', 'k-7', undefined)).toMatchObject({ kind: 'event', event: { id: '' } });
  });

  it('reads reset and cursor frames, falling back to the last event id', () => {
    expect(read(message('{"reason":"history_evicted","cursor":"h-2"}', { event: 'reset' }))).toEqual({ kind: 'reset', cursor: 'h-2' });
    expect(read(message('{}', { event: 'reset' }), undefined, 'h-1')).toEqual({ kind: 'reset', cursor: 'h-1' });
    expect(read(message('{"cursor":"h-3"}', { event: 'cursor' }))).toEqual({ kind: 'position', cursor: 'h-3' });
    expect(read(message('{}', { event: 'cursor' }), undefined, 'h-4')).toEqual({ kind: 'position', cursor: 'h-4' });
    expect(read(message('{}', { event: 'cursor' }))).toBeNull();
  });
});

describe('readSseMessage with a parse mode', () => {
  const envelope = JSON.stringify({ id: 'k-1', topic: 'news', type: 'post', data: 1, ts: 5 });

  it("'json' parses every data and never unwraps an envelope", () => {
    expect(eventOf(message(envelope, { id: 'w-1', event: 'post' }), 'json')).toMatchObject({ id: 'w-1', type: 'post', data: JSON.parse(envelope) });
    expect(eventOf(message('7'), 'json').data).toBe(7);
  });

  it("'json' refuses data that is not JSON, naming the event", () => {
    expect(read(message('oops', { id: '4', event: 'tick' }), 'json')).toEqual({
      kind: 'invalid',
      message: `the 'tick' event with id '4' is not JSON: "oops"`,
    });
  });

  it("'text' keeps data as it came, JSON or not", () => {
    expect(eventOf(message('{"a":1}'), 'text').data).toBe('{"a":1}');
    expect(eventOf(message('42'), 'text').data).toBe('42');
  });

  it('a function gets the whole message and its result becomes the data', () => {
    const parse = jest.fn((m: SseMessage) => ({ upper: m.data.toUpperCase(), kind: m.event, id: m.id }));
    expect(eventOf(message('hi', { id: '5', event: 'shout' }), parse)).toMatchObject({ id: '5', type: 'shout', data: { upper: 'HI', kind: 'shout', id: '5' } });
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('a function that throws makes the message invalid with its reason', () => {
    const frame = read(message('x'), () => {
      throw new Error('no orderId');
    });
    expect(frame).toEqual({ kind: 'invalid', message: "The parse function threw for the 'message' event: no orderId" });
  });

  it.each<SseParse>(['json', 'text', (m) => m.data])('treats reset and cursor as ordinary event names (%p)', (parse) => {
    expect(eventOf(message('{"cursor":"h-1"}', { event: 'reset' }), parse).type).toBe('reset');
    expect(eventOf(message('{"cursor":"h-1"}', { event: 'cursor' }), parse).type).toBe('cursor');
  });
});
