import * as net from 'node:net';

/**
 * A TCP proxy for integration tests that cuts every connection after a random
 * number of bytes from the server, or from both sides with `bothDirections` (so
 * cuts land mid-header, mid-event, between events), simulating a flaky network
 * between client and the real server.
 */
export interface CuttingProxy {
  readonly url: string;
  /** Connections cut so far. */
  readonly cuts: number;
  /** Stops cutting (later connections pass through untouched). */
  calm(): void;
  close(): Promise<void>;
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CuttingProxyOptions {
  minBytes: number;
  maxBytes: number;
  random: () => number;
  /** Count the client's bytes against the budget too, so cuts also land mid-request or mid-frame upstream. */
  bothDirections?: boolean;
}

export async function startCuttingProxy(target: string, options: CuttingProxyOptions): Promise<CuttingProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  let cuts = 0;
  let calm = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let budget = options.minBytes + Math.floor(options.random() * (options.maxBytes - options.minBytes));
    let dead = false;
    const cut = () => {
      dead = true;
      client.destroy();
      upstream.destroy();
    };
    const forward = (from: net.Socket, to: net.Socket, counted: boolean) =>
      from.on('data', (chunk: Buffer) => {
        if (dead) return;
        if (calm || !counted || chunk.length < budget) {
          if (counted) budget -= chunk.length;
          to.write(chunk);
          return;
        }
        dead = true;
        cuts++;
        to.write(chunk.subarray(0, Math.max(0, budget)), cut);
      });
    forward(client, upstream, options.bothDirections ?? false);
    forward(upstream, client, true);
    for (const s of [client, upstream]) {
      s.on('error', cut);
      s.on('close', () => {
        sockets.delete(s);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    get cuts() {
      return cuts;
    },
    calm: () => void (calm = true),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
