// Reference: a Socket.IO 4 server with a room broadcast, as its docs show (clients use the websocket transport).
// `join` puts a socket in a room; `msg` goes to everyone in the room, the sender too.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const httpServer = createServer();
const io = new Server(httpServer, { transports: ['websocket'] });

io.on('connection', (socket) => {
  socket.on('join', (room, ack) => {
    socket.join(room);
    ack?.();
  });
  socket.on('msg', (room, payload) => {
    io.to(room).emit('msg', payload);
  });
});

httpServer.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = httpServer.address();
  console.log(`listening on http://${address}:${port}`);
});
