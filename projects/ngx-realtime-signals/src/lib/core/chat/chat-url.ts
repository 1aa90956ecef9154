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
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/chat`, pageUrl ?? undefined);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (params.name) url.searchParams.set('name', params.name);
  if (params.token) url.searchParams.set('access_token', params.token);
  return url.toString();
}
