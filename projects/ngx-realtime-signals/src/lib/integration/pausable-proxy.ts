import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP proxy the test can take offline and bring back. */
export interface PausableProxy {
  /** `http://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  /** Cuts every open connection and refuses new ones until `resume()`: the network is gone. */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

/**
 * Forwards TCP to `target` (`http://host:port`) until paused. A long outage is
 * then simply a pause: the client sees its connection cut and every reconnect refused.
 *
 * @example
 * ```ts
 * const proxy = await startPausableProxy(server.url);
 * proxy.pause(); await publishWhileAway(); proxy.resume();
 * ```
 */
export async function startPausableProxy(target: string): Promise<PausableProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<net.Socket>();
  let paused = false;
  const track = (socket: net.Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (paused) return void client.destroy();
    const upstream = net.connect(Number(port), hostname);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pause() {
      paused = true;
      for (const socket of open) socket.destroy();
    },
    resume() {
      paused = false;
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
