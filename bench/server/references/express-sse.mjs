// Reference: a minimal Express SSE server, written the way Express/MDN examples show: keep the open
// responses per topic, write each published event to all of them, then answer the publish.
import express from 'express';

const app = express();
app.use(express.json());
const streams = new Map(); // topic -> Set<res>
let nextId = 0;

app.get('/api/events/:topic', (req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.write('\n');
  const set = streams.get(req.params.topic) ?? new Set();
  streams.set(req.params.topic, set);
  set.add(res);
  req.on('close', () => set.delete(res));
});

app.post('/api/topics/:topic/events', (req, res) => {
  const event = { id: String(++nextId), topic: req.params.topic, type: req.body.type, data: req.body.data, ts: Date.now() };
  for (const client of streams.get(req.params.topic) ?? []) {
    client.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }
  res.status(201).json({ id: event.id, topic: event.topic });
});

const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port}`);
});
