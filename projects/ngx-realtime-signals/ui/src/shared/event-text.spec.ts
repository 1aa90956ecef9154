import { event } from '../testing-support/fake-sources';
import { eventText } from './event-text';

describe('eventText', () => {
  it('shows a string payload as it is', () => expect(eventText(event('1', 'hello'))).toBe('hello'));

  it('prefers text, then title, message and body fields', () => {
    expect(eventText(event('1', { title: 'T', text: 'X' }))).toBe('X');
    expect(eventText(event('1', { title: 'T', body: 'B' }))).toBe('T');
    expect(eventText(event('1', { message: 'M' }))).toBe('M');
  });

  it('falls back to JSON and shortens long payloads', () => {
    expect(eventText(event('1', { n: 1 }))).toBe('{"n":1}');
    const long = eventText(event('1', { blob: 'x'.repeat(500) }));
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });

  it('shows the type when there is no payload', () => expect(eventText(event('1', undefined, 'ping'))).toBe('ping'));
});
