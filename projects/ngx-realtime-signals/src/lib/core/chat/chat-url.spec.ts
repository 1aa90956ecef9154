import { chatSocketUrl } from './chat-url';

describe('chatSocketUrl', () => {
  it('resolves a relative base URL against the page and switches https to wss', () => {
    expect(chatSocketUrl('/api', 'https://example.com/app/page')).toBe('wss://example.com/api/chat');
  });

  it('switches http to ws for an absolute base URL and ignores the page', () => {
    expect(chatSocketUrl('http://127.0.0.1:3000/api/', 'https://example.com/')).toBe('ws://127.0.0.1:3000/api/chat');
  });

  it('keeps a ws(s) base URL as it is', () => {
    expect(chatSocketUrl('wss://rt.example.com/api', null)).toBe('wss://rt.example.com/api/chat');
  });

  it('adds name and access_token as encoded query parameters', () => {
    const url = new URL(chatSocketUrl('/api', 'http://localhost:4200/', { name: 'ada l', token: 'a.b+c' }));
    expect(url.searchParams.get('name')).toBe('ada l');
    expect(url.searchParams.get('access_token')).toBe('a.b+c');
  });

  it('throws for a relative base URL without a page to resolve it against', () => {
    expect(() => chatSocketUrl('/api', null)).toThrow();
  });
});
