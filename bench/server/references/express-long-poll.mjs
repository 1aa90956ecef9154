// Reference: a minimal Express long-poll server with a 1,000-event log, written plainly: a poll with
// events after its cursor is answered at once, otherwise it is held until the next publish or its timeout.
import express from 'express';

const app = express();
app.use(express.json());
const LOG_SIZE = 1000;
const topics = new Map(); // topic -> { events: [], seq, waiting: Set<{ cursor, res, timer }> }

function topicOf(name) {
  let topic = topics.get(name);
  if (!topic) {
    topic = { events: [], seq: 0, waiting: new Set() };
    topics.set(name, topic);
  }
  return topic;
}

function after(topic, cursor, limit) {
  return topic.events.filter((e) => Number(e.id) > cursor).slice(0, limit);
}

app.get('/api/poll/:topic', (req, res) => {
  const topic = topicOf(req.params.topic);
  const cursor = req.query.cursor === undefined ? topic.seq : Number(req.query.cursor);
  const timeout = req.query.timeout === undefined ? 25000 : Number(req.query.timeout);
  const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
  const events = after(topic, cursor, limit);
  if (events.length > 0 || timeout === 0) return res.json({ events, cursor: String(events.at(-1)?.id ?? cursor) });
  const waiter = { cursor, limit, res };
  waiter.timer = setTimeout(() => {
    topic.waiting.delete(waiter);
    res.json({ events: [], cursor: String(cursor) });
  }, timeout);
  topic.waiting.add(waiter);
  req.on('close', () => {
    clearTimeout(waiter.timer);
    topic.waiting.delete(waiter);
  });
});

app.post('/api/topics/:topic/events', (req, res) => {
  const topic = topicOf(req.params.topic);
  const event = { id: String(++topic.seq), topic: req.params.topic, type: req.body.type, data: req.body.data, ts: Date.now() };
  topic.events.push(event);
  if (topic.events.length > LOG_SIZE) topic.events.shift();
  for (const waiter of topic.waiting) {
    clearTimeout(waiter.timer);
    const events = after(topic, waiter.cursor, waiter.limit);
    waiter.res.json({ events, cursor: String(events.at(-1)?.id ?? waiter.cursor) });
  }
  topic.waiting.clear();
  res.status(201).json({ id: event.id, topic: event.topic });
});

const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port}`);
});
