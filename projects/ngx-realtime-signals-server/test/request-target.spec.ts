import { pathnameOf, searchParamsOf } from '../src/request-target';

const TARGETS = [
  undefined,
  '/',
  '/api/chat',
  '/api/chat?name=ada',
  '/api/chat?name=ada%20lovelace&x=1',
  '/api/chat?name=a+b&name=c',
  "/api/chat?name=it's&q=\"x\"&r=<a>",
  '/api/chat?',
  '/api/chat?name',
  '/api/chat?=x&&name=%zz',
  '/api/chat?name=ada#frag',
  '/api/chat#frag?name=ada',
  '/api/chat?name=caf\u00e9',
  '/api/chat?name=a b',
  '/api//chat',
  '//api/chat',
  '//host.example/api/chat?name=x',
  '/api/./chat',
  '/api/x/../chat',
  '/api/%63hat',
  '/api/chat/',
  '/api\\chat',
  '/api/ch at',
  '/api/ch\u00e4t?name=a',
  '/API/Chat_~-1',
  'api/chat',
  '',
];

describe('request targets', () => {
  it.each(TARGETS.map((target) => [target]))('read %p as the WHATWG URL parser does', (target) => {
    const url = new URL(target ?? '/', 'http://request.invalid');
    expect(pathnameOf(target)).toBe(url.pathname);
    expect([...searchParamsOf(target)]).toEqual([...url.searchParams]);
  });
});
