// node bench/load/http-chat-relay.mjs [--sends N]   (after npm run build:server)
// What the relay costs an HTTP chat send: one member's SSE stream on instance A, and its
// `send` POSTs either to A itself or to instance B (which relays them to A over Redis), in
// alternating rounds so both see the same machine; the in-memory log on instance M alone for
// comparison. Measured per send: POST until its 204, and POST until the ack is on the stream.
// Starts its own redis-server; every process stays on loopback.
import http from 'node:http';
import { demoInstance, freePort, redisServer } from '../../ops/support/processes.mjs';
import { quantile, round } from './stats.mjs';

const argIndex = process.argv.indexOf('--sends');
const SENDS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 400;
const ROUND = 25;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** A chat member over SSE: resolves once the welcome names its connection. */
function openMember(url, name) {
  return new Promise((resolve, reject) => {
    const waiting = new Map();
    const member = { connectionId: null, waiting, close: () => req.destroy() };
    const req = http.get(`${url}/api/chat/events?name=${name}`, { agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`chat/events answered ${res.statusCode}`));
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (!data) continue;
          const frame = JSON.parse(data.slice(6));
          if (frame.type === 'welcome') {
            member.connectionId = frame.connectionId;
            resolve(member);
          }
          const key = frame.type === 'joined' ? `joined:${frame.room}` : frame.type === 'ack' ? `ack:${frame.clientId}` : null;
          if (key && waiting.has(key)) {
            waiting.get(key)();
            waiting.delete(key);
          }
        }
      });
    });
    req.on('error', reject);
  });
}

/** POSTs one frame to `url` for `member`; resolves with the ms until the 204 and until `awaitKey` arrived on the stream. */
function post(url, member, frame, awaitKey) {
  const body = JSON.stringify(frame);
  const started = performance.now();
  const arrived = new Promise((resolve) => member.waiting.set(awaitKey, () => resolve(performance.now() - started)));
  const answered = new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/api/chat/sessions/${encodeURIComponent(member.connectionId)}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 204 ? resolve(performance.now() - started) : reject(new Error(`POST answered ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  return Promise.all([answered, arrived]);
}

function row(label, samples) {
  const ms = (values, q) => `${round(quantile(values, q), 2)} ms`;
  const posts = samples.map(([answered]) => answered);
  const acks = samples.map(([, acked]) => acked);
  return `| ${label} | ${samples.length} | ${ms(posts, 0.5)} | ${ms(posts, 0.99)} | ${ms(acks, 0.5)} | ${ms(acks, 0.99)} |`;
}

const redis = redisServer({ port: await freePort() });
await redis.start();
const env = { REDIS_URL: redis.url, WS_RATE_LIMIT: '1000000', LOG_LEVEL: 'warn' };
const a = demoInstance({ name: 'A', port: await freePort(), env });
const b = demoInstance({ name: 'B', port: await freePort(), env });
const m = demoInstance({ name: 'M', port: await freePort(), env: { WS_RATE_LIMIT: '1000000' } });
try {
  await Promise.all([a.start(), b.start(), m.start()]);
  const onA = await openMember(a.url, 'bench');
  const onM = await openMember(m.url, 'bench');
  for (const [url, member] of [[a.url, onA], [m.url, onM]]) await post(url, member, { type: 'join', room: 'bench' }, 'joined:bench');
  const direct = [];
  const relayed = [];
  const memory = [];
  let n = 0;
  const send = (url, member) => post(url, member, { type: 'send', room: 'bench', clientId: `c${n++}`, text: 'hello' }, `ack:c${n - 1}`);
  // Warm-up, not counted.
  for (let i = 0; i < 20; i++) {
    await send(a.url, onA);
    await send(b.url, onA);
    await send(m.url, onM);
  }
  for (let done = 0; done < SENDS; done += ROUND) {
    for (let i = 0; i < ROUND; i++) direct.push(await send(a.url, onA));
    for (let i = 0; i < ROUND; i++) relayed.push(await send(b.url, onA));
    for (let i = 0; i < ROUND; i++) memory.push(await send(m.url, onM));
  }
  onA.close();
  onM.close();
  console.log(`HTTP chat sends, one at a time (${new Date().toISOString()}):`);
  console.log('| POST reaches | sends | POST→204 p50 | p99 | POST→ack on the stream p50 | p99 |');
  console.log('|---|---:|---:|---:|---:|---:|');
  console.log(row('A, the instance holding the connection (Redis log)', direct));
  console.log(row('B, relayed to A over Redis', relayed));
  console.log(row('M, in-memory log, one instance', memory));
} finally {
  await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM'), m.kill('SIGTERM')]);
  await redis.stop();
  agent.destroy();
}
