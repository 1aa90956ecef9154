/**
 * A path made only of these characters, not starting with `//` (which names a host), parses to
 * itself: the WHATWG URL parser neither percent-encodes nor rewrites any of them (no `.`
 * segments, no `%`, no `\`, no `#`).
 */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9/_~-]*$/;
/** Printable ASCII without `#`: a query that URLSearchParams reads as the URL parser would. */
const PLAIN_QUERY = /^[\x21-\x22\x24-\x7e]*$/;

/**
 * The pathname of a request target (`req.url`), as `new URL(url, base).pathname` gives it. A
 * WebSocket upgrade parses its URL once or twice; the full parser was a tenth of a connection's
 * server CPU, so plain targets (nearly all) skip it.
 *
 * @example
 * pathnameOf('/api/chat?name=ada'); // '/api/chat'
 */
export function pathnameOf(url: string | undefined): string {
  const target = url ?? '/';
  const mark = target.indexOf('?');
  const path = mark === -1 ? target : target.slice(0, mark);
  if (PLAIN_PATH.test(path)) return path;
  return new URL(target, 'http://request.invalid').pathname;
}

/**
 * The query parameters of a request target, as `new URL(url, base).searchParams` gives them.
 *
 * @example
 * searchParamsOf('/api/chat?name=ada').get('name'); // 'ada'
 */
export function searchParamsOf(url: string | undefined): URLSearchParams {
  const target = url ?? '/';
  const mark = target.indexOf('?');
  if (mark === -1) return new URLSearchParams();
  const query = target.slice(mark + 1);
  if (PLAIN_QUERY.test(query) && !target.includes('#')) return new URLSearchParams(query);
  return new URL(target, 'http://request.invalid').searchParams;
}
