import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any;
}

/**
 * One HTTP request with the path sent byte for byte (fetch and URL would
 * normalise `%2e%2e` and friends, which is exactly what tests must not do).
 */
export function rawRequest(
  baseUrl: string,
  options: { method?: string; path: string; headers?: http.OutgoingHttpHeaders; body?: string | Buffer; signal?: AbortSignal },
): Promise<RawResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
        signal: options.signal,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POST a JSON event; returns the raw answer. */
export function publish(baseUrl: string, topic: string, type: string, data: unknown): Promise<RawResponse> {
  return rawRequest(baseUrl, {
    method: 'POST',
    path: `/api/topics/${encodeURIComponent(topic)}/events`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type, data }),
  });
}

/** Publishes and insists on 201; returns the new id. */
export async function publishOk(baseUrl: string, topic: string, type: string, data: unknown): Promise<string> {
  const res = await publish(baseUrl, topic, type, data);
  if (res.status !== 201) throw new Error(`publish failed: ${res.status} ${res.text}`);
  return res.json.id as string;
}

/**
 * Resolves once `condition()` holds, checking every few ms; fails with `what`
 * after a generous limit so a slow machine does not make the test flaky.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
