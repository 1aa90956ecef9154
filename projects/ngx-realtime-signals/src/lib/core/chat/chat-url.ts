/**
 * The chat endpoint as a ws(s):// URL: `${baseUrl}/chat` resolved against the
 * page (`pageUrl`, i.e. `document.baseURI`) unless `baseUrl` is absolute, with
 * `name` and `access_token` as query parameters when given.
 *
 * @example
 * ```ts
 * chatSocketUrl('/api', 'https://example.com/app/', { name: 'ada' }); // 'wss://example.com/api/chat?name=ada'
 * ```
 */
export function chatSocketUrl(
  baseUrl: string,
  pageUrl: string | null,
  params: { name?: string | null; token?: string | null } = {},
): string {
  return chatEndpointUrl(`${baseUrl.replace(/\/+$/, '')}/chat`, pageUrl, params);
}

/**
 * A chat endpoint (`ws(s)://`, `http(s)://` or relative to the page) as the ws(s)://
 * URL to open, with `name` and `access_token` added to its query.
 *
 * @example
 * ```ts
 * chatEndpointUrl('/socket?v=2', 'http://localhost:4200/', { name: 'ada' }); // 'ws://localhost:4200/socket?v=2&name=ada'
 * ```
 */
export function chatEndpointUrl(
  endpoint: string,
  pageUrl: string | null,
  params: { name?: string | null; token?: string | null } = {},
): string {
  const url = new URL(endpoint, pageUrl ?? undefined);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (params.name) url.searchParams.set('name', params.name);
  if (params.token) url.searchParams.set('access_token', params.token);
  return url.toString();
}
