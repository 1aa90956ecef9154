// Reference: a raw `ws` broadcast server, as the ws README's "Server broadcast" example shows.
// A client's message goes to every open client. PORT / HOST from the environment; prints its URL.
import { WebSocket, WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });

wss.on('connection', function connection(ws) {
  ws.on('error', console.error);
  ws.on('message', function message(data, isBinary) {
    wss.clients.forEach(function each(client) {
      if (client.readyState === WebSocket.OPEN) {
        client.send(data, { binary: isBinary });
      }
    });
  });
});

wss.on('listening', () => console.log(`listening on http://${wss.address().address}:${wss.address().port}`));
