import http from 'node:http';

/**
 * An HTTP proxy in front of the demo-server that passes plain HTTP (the app,
 * SSE, long polls, POSTs) and answers every WebSocket upgrade with 403, as
 * corporate proxies do.
 */
export async function upgradeRefusingProxy(target) {
  const { hostname, port } = new URL(target);
  let refused = 0;
  const server = http.createServer((req, res) => {
    const upstream = http.request({ host: hostname, port: Number(port), method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.once('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('upgrade', (_req, socket) => {
    refused++;
    const body = '{"error":{"code":"forbidden","message":"WebSocket is blocked here."}}';
    socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    get refused() {
      return refused;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
