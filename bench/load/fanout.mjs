// Scenario 2: fan-out. One publisher, N subscribers on one topic (SSE) or N members of one room (chat).
// Latency = from just before the publish to the moment the last subscriber has the event, measured in this
// process (so it includes the load generator's own time to read N sockets on the same two cores).
import { openSseStreams, publish } from './sse-clients.mjs';
import { openChatMembers } from './ws-clients.mjs';
import { startServer } from './server-child.mjs';
import { median, now, p95, round, sleep, waitFor } from './stats.mjs';

const EVENTS = 20;
const PAYLOAD = { text: 'x'.repeat(200) };

/** Arrival bookkeeping per event key: how many subscribers have it, first and last arrival time. */
function arrivals() {
  const byKey = new Map();
  return {
    record(key) {
      const at = now();
      let entry = byKey.get(key);
      if (!entry) byKey.set(key, (entry = { count: 0, first: at, last: at }));
      entry.count++;
      entry.last = at;
    },
    get: (key) => byKey.get(key) ?? { count: 0, first: NaN, last: NaN },
  };
}

/**
 * Sequential: one event at a time, the next once every subscriber has the previous one (latency).
 * Burst: all events at once (throughput: deliveries per second until the last subscriber has the last event).
 */
async function measure(size, server, seen, send, label) {
  const latencies = [];
  const firsts = [];
  const cpuBefore = server.cpuMs();
  for (let i = 0; i < EVENTS; i++) {
    const t0 = now();
    const key = await send(`${label}-seq-${i}`);
    await waitFor(() => seen.get(key).count >= size, `event ${i} at all ${size} subscribers`, 60_000, 1);
    latencies.push(seen.get(key).last - t0);
    firsts.push(seen.get(key).first - t0);
    await sleep(20);
  }
  const cpuSequentialMs = server.cpuMs() - cpuBefore;

  const burstStart = now();
  const keys = await Promise.all(Array.from({ length: EVENTS }, (_, i) => send(`${label}-burst-${i}`)));
  await waitFor(() => keys.every((key) => seen.get(key).count >= size), `burst at all ${size} subscribers`, 120_000, 1);
  const burstMs = Math.max(...keys.map((key) => seen.get(key).last)) - burstStart;
  return {
    size,
    events: EVENTS,
    lastSubscriberMsMedian: round(median(latencies)),
    lastSubscriberMsP95: round(p95(latencies)),
    firstSubscriberMsMedian: round(median(firsts)),
    serverCpuMsPerEvent: round(cpuSequentialMs / EVENTS),
    burstMs: round(burstMs),
    deliveriesPerSecond: Math.round((size * EVENTS) / (burstMs / 1000)),
  };
}

/** SSE: the same topic grows to each size in turn (1,000 then 5,000 then 10,000 streams). */
export async function fanoutSse({ sizes }) {
  const server = await startServer();
  const seen = arrivals();
  const streams = [];
  try {
    const results = [];
    for (const size of sizes) {
      streams.push(...(await openSseStreams(server.url, 'fanout', size - streams.length, { onEvent: (_s, id) => seen.record(id) })));
      await sleep(500);
      results.push(await measure(size, server, seen, (label) => publish(server.url, 'fanout', 'tick', { label, ...PAYLOAD }), `sse-${size}`));
      if (streams.some((s) => s.closed)) throw new Error('an SSE stream closed during fan-out');
    }
    return { transport: 'sse', results };
  } finally {
    for (const stream of streams) stream.close();
    await server.stop();
  }
}

/** Chat: one room grows to each size; one member sends, every member (the sender too) receives. */
export async function fanoutWebSocket({ sizes }) {
  // 20 sequential + 20 burst sends from one member must stay inside the per-connection frame rate.
  const server = await startServer({ WS_RATE_LIMIT: '1000' });
  const seen = arrivals();
  const members = [];
  const onFrame = (_member, frame) => {
    if (frame.type === 'message') seen.record(frame.event.data.clientId);
  };
  try {
    const results = [];
    for (const size of sizes) {
      const added = await openChatMembers(server.url, size - members.length, { prefix: `f${members.length}-`, onFrame });
      members.push(...added);
      for (const member of added) member.send({ type: 'join', room: 'fanout' });
      await waitFor(() => members.every((m) => m.count === size), `room of ${size} settled`, 120_000, 50);
      await sleep(500);
      const sender = members[0];
      results.push(
        await measure(size, server, seen, async (clientId) => {
          sender.send({ type: 'send', room: 'fanout', clientId, text: PAYLOAD.text });
          return clientId;
        }, `ws-${size}`),
      );
      if (members.some((m) => m.closed)) throw new Error('a chat socket closed during fan-out');
    }
    return { transport: 'websocket', results };
  } finally {
    for (const member of members) member.close();
    await server.stop();
  }
}
