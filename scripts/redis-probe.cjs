// Does a Redis answer at REDIS_TEST_URL (default redis://127.0.0.1:6379)? Exit 0 if so.
// Run as a separate process so jest.config.js can ask synchronously (spawnSync).
const net = require('node:net');

const url = new URL(process.env.REDIS_TEST_URL || 'redis://127.0.0.1:6379');
const socket = net.connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 6379) });
const fail = () => process.exit(1);
socket.setTimeout(1500, fail);
socket.on('error', fail);
socket.on('connect', () => socket.write('PING\r\n'));
socket.on('data', (chunk) => {
  // +PONG, or -NOAUTH from a Redis that wants a password: either way one is there.
  const reply = chunk.toString('latin1');
  process.exit(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH') ? 0 : 1);
});
