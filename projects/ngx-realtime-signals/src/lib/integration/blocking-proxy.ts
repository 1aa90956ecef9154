import http from 'node:http';
import * as net from 'node:net';

/**
 * The ways a proxy in front of the server breaks realtime traffic:
 * - `refuse-upgrade`: answers every WebSocket upgrade with HTTP 403 (plain HTTP passes);
 * - `drop-frames`: completes the upgrade (the 101 reaches the client), then drops every frame both ways;
 * - `buffer`: holds each HTTP response until it ends (an SSE stream never arrives) and refuses upgrades;
 * - `close-after`: cuts every response and tunnel `closeAfterMs` after it started.
 */
export type BlockingProxyKind = 'refuse-upgrade' | 'drop-frames' | 'buffer' | 'close-after';

export interface BlockingProxyOptions {
  /** `close-after`: how long a response or tunnel lives. Default 30000. */
  closeAfterMs?: number;
  /** `refuse-upgrade` and `buffer`: the status of a refused upgrade. Default 403. */
  refuseStatus?: 400 | 403;
}

export interface BlockingProxy {
  readonly url: string;
  readonly kind: BlockingProxyKind;
  /** Upgrades refused, tunnels whose frames were dropped, responses buffered or cut, so far. */
  readonly interventions: number;
  /** From now on the proxy passes everything through untouched (connections already open keep their treatment). */
  unblock(): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy for integration tests that behaves like the corporate proxies,
 * antivirus filters and load balancers that break WebSocket and SSE.
 *
 * @example
 * ```ts
 * const proxy = await startBlockingProxy(serverUrl, 'refuse-upgrade');
 * // point the services at proxy.url; chat falls back to SSE + POST
 * ```
 */
export async function startBlockingProxy(
  target: string,
  kind: BlockingProxyKind,
  options: BlockingProxyOptions = {},
): Promise<BlockingProxy> {
  const { hostname, port } = new URL(target);
  const closeAfterMs = options.closeAfterMs ?? 30_000;
  const refuseStatus = options.refuseStatus ?? 403;
  const sockets = new Set<net.Socket>();
  let blocking = true;
  let interventions = 0;

  const server = http.createServer((req, res) => {
    const treat = blocking;
    const upstream = http.request(
      { host: hostname, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (treat && kind === 'buffer') {
          interventions++;
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const headers = { ...answer.headers };
            delete headers['transfer-encoding'];
            const body = Buffer.concat(chunks);
            headers['content-length'] = String(body.length);
            res.writeHead(answer.statusCode ?? 502, headers).end(body);
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    if (treat && kind === 'close-after') {
      const timer = setTimeout(() => {
        if (res.writableEnded) return;
        interventions++;
        res.destroy();
        upstream.destroy();
      }, closeAfterMs);
      res.once('close', () => clearTimeout(timer));
    }
    upstream.on('error', () => res.destroy());
    res.once('close', () => upstream.destroy());
    req.pipe(upstream);
  });

  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  server.on('upgrade', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const treat = blocking;
    if (treat && (kind === 'refuse-upgrade' || kind === 'buffer')) {
      interventions++;
      const body = 'WebSocket is blocked by this proxy.';
      client.end(
        `HTTP/1.1 ${refuseStatus} ${refuseStatus === 403 ? 'Forbidden' : 'Bad Request'}\r\n` +
          `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    const upstream = net.connect(Number(port), hostname);
    sockets.add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', cut);
    client.on('error', cut);
    upstream.on('close', () => {
      sockets.delete(upstream);
      cut();
    });
    client.on('close', cut);
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    if (treat && kind === 'drop-frames') {
      interventions++;
      // Pass the server's 101 response head, then nothing: the socket is open and silent.
      let pending = '';
      let headDone = false;
      upstream.on('data', (chunk: Buffer) => {
        if (headDone) return;
        pending += chunk.toString('latin1');
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        headDone = true;
        client.write(Buffer.from(pending.slice(0, end + 4), 'latin1'));
      });
      client.on('data', () => undefined);
      return;
    }
    upstream.pipe(client);
    client.pipe(upstream);
    if (treat && kind === 'close-after') {
      const timer = setTimeout(() => {
        interventions++;
        cut();
      }, closeAfterMs);
      client.once('close', () => clearTimeout(timer));
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    kind,
    get interventions() {
      return interventions;
    },
    unblock: () => void (blocking = false),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
