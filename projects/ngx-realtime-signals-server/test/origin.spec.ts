import { isOriginAllowed } from '../src/origin';

describe('isOriginAllowed', () => {
  const defaults = { allowedOrigins: null };

  it('allows requests without an Origin header', () => {
    expect(isOriginAllowed(undefined, 'example.com', defaults)).toBe(true);
    expect(isOriginAllowed(undefined, 'example.com', { allowedOrigins: ['https://a.example'] })).toBe(true);
  });

  it('allows the server own origin and loopback origins on any port by default', () => {
    expect(isOriginAllowed('https://demo.example:8443', 'demo.example:8443', defaults)).toBe(true);
    expect(isOriginAllowed('http://localhost:4200', 'demo.example', defaults)).toBe(true);
    expect(isOriginAllowed('https://127.0.0.1', 'demo.example', defaults)).toBe(true);
    expect(isOriginAllowed('http://[::1]:3000', 'demo.example', defaults)).toBe(true);
  });

  it('refuses foreign, look-alike and non-http origins by default', () => {
    expect(isOriginAllowed('https://evil.example', 'demo.example', defaults)).toBe(false);
    expect(isOriginAllowed('http://localhost.evil.example', 'demo.example', defaults)).toBe(false);
    expect(isOriginAllowed('https://demo.example:8443', 'demo.example', defaults)).toBe(false);
    expect(isOriginAllowed('null', 'demo.example', defaults)).toBe(false);
    expect(isOriginAllowed('file://', 'demo.example', defaults)).toBe(false);
    expect(isOriginAllowed('chrome-extension://abc', 'demo.example', defaults)).toBe(false);
    expect(isOriginAllowed('http://localhost:4200/path', 'demo.example', defaults)).toBe(false);
  });

  it('allows exactly the configured list, and anything with *', () => {
    const list = { allowedOrigins: ['https://app.example'] };
    expect(isOriginAllowed('https://app.example', 'api.example', list)).toBe(true);
    expect(isOriginAllowed('https://APP.example', 'api.example', list)).toBe(true);
    expect(isOriginAllowed('http://app.example', 'api.example', list)).toBe(false);
    expect(isOriginAllowed('http://localhost:4200', 'api.example', list)).toBe(false);
    expect(isOriginAllowed('https://anything.example', 'api.example', { allowedOrigins: ['*'] })).toBe(true);
  });
});
