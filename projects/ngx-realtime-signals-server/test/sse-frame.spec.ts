import { commentFrame, eventFrame, resetFrame, retryFrame } from '../src/sse-frame';

describe('sse-frame', () => {
  it('frames an event as id, event and one-line JSON data of the whole event', () => {
    const event = Object.freeze({ id: 'e-1', topic: 'news', type: 'headline', data: { text: 'a\nb\r\nc\u2028' }, ts: 5 });
    const frame = eventFrame(event);
    expect(frame).toBe(`id: e-1\nevent: headline\ndata: ${JSON.stringify(event)}\n\n`);
    expect(frame.split('\n')).toHaveLength(5);
    expect(JSON.parse(frame.split('\n')[2].slice('data: '.length))).toEqual(event);
  });

  it('returns the same string for the same event object', () => {
    const event = Object.freeze({ id: 'e-2', topic: 't', type: 'x', data: [1, 2], ts: 1 });
    expect(eventFrame(event)).toBe(eventFrame(event));
  });

  it('refuses an id or type that would break the framing', () => {
    expect(() => eventFrame({ id: 'e-1\nevent: reset', topic: 't', type: 'x', data: 1, ts: 1 })).toThrow(RangeError);
    expect(() => eventFrame({ id: 'e-1', topic: 't', type: 'x\rdata: 1', data: 1, ts: 1 })).toThrow(RangeError);
    expect(() => commentFrame('a\nb')).toThrow(RangeError);
  });

  it('frames retry, comments and the reset notice', () => {
    expect(retryFrame(2000)).toBe('retry: 2000\n\n');
    expect(() => retryFrame(-1)).toThrow(RangeError);
    expect(commentFrame('ping')).toBe(': ping\n\n');
    expect(resetFrame('h-9')).toBe('id: h-9\nevent: reset\ndata: {"reason":"history_evicted","cursor":"h-9"}\n\n');
  });
});
