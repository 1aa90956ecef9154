import net from 'node:net';

export interface RoundRobinProxy {
  /** http://127.0.0.1:PORT: give it to the services as their base URL. */
  readonly url: string;
  /** Sends every new connection to upstream `index` (null: round robin again). */
  pin(index: number | null): void;
  /** Upstream index of each connection so far, in order. */
  readonly routed: number[];
  close(): Promise<void>;
}

/**
 * A TCP load balancer for tests: each new connection goes to the next upstream in turn, no
 * stickiness, and an upstream that refuses the connection (its process is gone) is skipped.
 * When an upstream dies, its connections close, and the clients' reconnects land elsewhere.
 */
export async function startRoundRobinProxy(upstreams: string[]): Promise<RoundRobinProxy> {
  const targets = upstreams.map((url) => new URL(url));
  const sockets = new Set<net.Socket>();
  const routed: number[] = [];
  let next = 0;
  let pinned: number | null = null;

  const connect = (client: net.Socket, attempt: number): void => {
    if (attempt >= targets.length) {
      client.destroy();
      return;
    }
    const index = pinned ?? next++ % targets.length;
    const target = targets[index];
    const upstream = net.connect({ host: target.hostname, port: Number(target.port) });
    let connected = false;
    upstream.once('error', () => {
      // Refused: that instance is gone; try the next one (a pinned proxy has no other).
      if (!connected && !client.destroyed && pinned === null) connect(client, attempt + 1);
      else client.destroy();
    });
    upstream.once('connect', () => {
      connected = true;
      routed.push(index);
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  };

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    connect(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routed,
    pin(index) {
      pinned = index;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
