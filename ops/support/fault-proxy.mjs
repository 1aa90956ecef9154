// A TCP proxy between clients and HAProxy that injects network faults on demand.
import net from 'node:net';

/**
 * Forwards TCP to `target` (http://host:port). `cut()` closes every open connection
 * (the client sees the close at once); `stall()` freezes every open connection: no more
 * bytes either way and no FIN or RST, as when a NAT entry or a mobile link dies, so only
 * the client's own heartbeat watchdog can tell. New connections pass through untouched,
 * so a client that gives up on a stalled connection can reconnect. `release()` finally
 * destroys the frozen ones (as the kernel eventually would).
 *
 * @example
 * const proxy = await startFaultProxy(haproxy.url);
 * proxy.stall(); await sleep(20_000); proxy.release();
 */
export async function startFaultProxy(target) {
  const { hostname, port } = new URL(target);
  const links = new Set();
  const frozen = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    const link = { client, upstream, stalled: false };
    links.add(link);
    const forward = (from, to) =>
      from.on('data', (chunk) => {
        if (!link.stalled && !to.destroyed) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      links.delete(link);
      frozen.delete(link);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', () => {
        // A frozen link passes nothing on, not even the other side's close.
        if (!link.stalled) end();
      });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Open connections right now (frozen ones included). */
    get open() {
      return links.size;
    },
    cut() {
      const count = links.size;
      for (const link of [...links]) {
        link.client.destroy();
        link.upstream.destroy();
        links.delete(link);
      }
      return count;
    },
    stall() {
      let count = 0;
      for (const link of links) {
        if (link.stalled) continue;
        link.stalled = true;
        link.client.pause();
        link.upstream.pause();
        frozen.add(link);
        count++;
      }
      return count;
    },
    release() {
      for (const link of [...frozen]) {
        link.client.destroy();
        link.upstream.destroy();
        links.delete(link);
      }
      frozen.clear();
    },
    close() {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      links.clear();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
