// Scenario 4: one SSE client that never reads, among healthy ones, while events keep coming. The server
// must drop it once its unsent bytes pass MAX_BUFFERED_BYTES, keep serving the rest, and keep RSS bounded.
import { openSlowSseStream, openSseStreams, publish } from './sse-clients.mjs';
import { metricValue, startServer } from './server-child.mjs';
import { median, now, p95, round, sleep, waitFor } from './stats.mjs';

const PAYLOAD = { blob: 'y'.repeat(16 * 1024) };
/** Healthy readers may trail the publisher by this many events (a reader, not a stalled one). */
const WINDOW = 8;
const MAX_EVENTS = 2000;
const AFTER_DROP_EVENTS = 20;

export async function slowConsumer({ healthyCount }) {
  const server = await startServer();
  const arrivals = new Map();
  const healthy = [];
  let slow;
  let maxRss = 0;
  const sampler = setInterval(() => {
    try {
      maxRss = Math.max(maxRss, server.rssBytes());
    } catch {
      // the server is gone; the scenario fails on its own
    }
  }, 100);
  try {
    healthy.push(
      ...(await openSseStreams(server.url, 'slow', healthyCount, {
        onEvent: (_stream, id) => {
          const entry = arrivals.get(id);
          if (entry) {
            entry.count++;
            entry.last = now();
          } else arrivals.set(id, { count: 1, last: now() });
        },
      })),
    );
    slow = await openSlowSseStream(server.url, 'slow');
    await sleep(300);
    const heapUsedBefore = (await server.memoryAfterGc()).heapUsed;
    const rssBefore = server.rssBytes();
    maxRss = rssBefore;

    const ids = [];
    const started = now();
    let dropped = 0;
    let droppedAfterEvents = null;
    const received = (id) => arrivals.get(id)?.count ?? 0;
    while (ids.length < MAX_EVENTS) {
      ids.push(await publish(server.url, 'slow', 'blob', PAYLOAD));
      if (ids.length > WINDOW) {
        const trailing = ids[ids.length - 1 - WINDOW];
        await waitFor(() => received(trailing) >= healthyCount, 'healthy readers to keep up', 60_000, 1);
      }
      if (ids.length % 10 === 0) {
        dropped = metricValue(await server.metricsText(), 'realtime_dropped_connections_total', {
          transport: 'sse',
          reason: 'slow_consumer',
        });
        if (dropped > 0) {
          droppedAfterEvents = ids.length;
          break;
        }
      }
    }
    const dropMs = now() - started;
    const rssAtDrop = server.rssBytes();

    // After the drop the healthy readers go on as before.
    const latencies = [];
    for (let i = 0; i < AFTER_DROP_EVENTS; i++) {
      const t0 = now();
      const id = await publish(server.url, 'slow', 'blob', PAYLOAD);
      ids.push(id);
      await waitFor(() => received(id) >= healthyCount, 'healthy readers after the drop', 60_000, 1);
      latencies.push(arrivals.get(id).last - t0);
    }
    await waitFor(() => healthy.every((s) => s.events >= ids.length), 'every healthy reader to have every event', 60_000);
    const health = await server.health();
    const memory = await server.memoryAfterGc();
    return {
      healthyCount,
      payloadBytes: PAYLOAD.blob.length,
      maxBufferedBytes: 1024 * 1024,
      slowDropped: dropped,
      droppedAfterEvents,
      droppedAfterMiB: round((droppedAfterEvents * PAYLOAD.blob.length) / 1024 / 1024),
      dropMs: round(dropMs),
      eventsPublished: ids.length,
      healthyWithEveryEvent: healthy.filter((s) => s.events === ids.length && !s.closed).length,
      healthyClosed: healthy.filter((s) => s.closed).length,
      afterDropLastSubscriberMsMedian: round(median(latencies)),
      afterDropLastSubscriberMsP95: round(p95(latencies)),
      serverSseCountAfter: health.connections.sse,
      rssBefore,
      rssAtDrop,
      rssMax: maxRss,
      rssAfterGc: server.rssBytes(),
      heapUsedBefore,
      heapUsedAfterGc: memory.heapUsed,
      /** What the retained history holds: each event's data and its cached SSE frame. */
      historyBytesEstimate: ids.length * 2 * PAYLOAD.blob.length,
    };
  } finally {
    clearInterval(sampler);
    for (const stream of healthy) stream.close();
    slow?.close();
    await server.stop();
  }
}
