import { publishOk, rawRequest, waitFor } from './support/http-client';
import { startServer } from './support/server';
import { openSse } from './support/sse-reader';

describe('SSE slow consumer', () => {
  it('drops a client that never reads while a reading client keeps receiving everything', async () => {
    const started = await startServer({ MAX_BUFFERED_BYTES: '65536', HISTORY_LIMIT: '100000' });
    const stalled = await openSse(started.url, '/api/events/firehose', { pauseBody: true });
    const good = await openSse(started.url, '/api/events/firehose');
    // A paused client never reads the FIN either, so ask the server how many streams it still serves.
    const sseStreams = async (): Promise<number> =>
      (await rawRequest(started.url, { path: '/api/health' })).json.connections.sse as number;
    let stalledGone = false;
    try {
      const chunk = 'x'.repeat(16 * 1024);
      const ids: string[] = [];
      // Publish until the server gives up on the stalled client (socket buffers take a few MB first).
      while (!stalledGone && ids.length < 4000) {
        ids.push(await publishOk(started.url, 'firehose', 'blob', { n: ids.length, chunk }));
        if (ids.length % 25 === 0) {
          await waitFor(() => good.events.length === ids.length, 'the good client to catch up');
          stalledGone = (await sseStreams()) === 1;
        }
      }
      expect({ stalledGone, published: ids.length }).toEqual({ stalledGone: true, published: expect.any(Number) });
      await waitFor(() => good.events.length === ids.length, 'the good client to get every event');
      expect(good.events.map((e) => e.id)).toEqual(ids);

      const metrics = (await rawRequest(started.url, { path: '/metrics' })).text;
      expect(metrics).toMatch(/realtime_dropped_connections_total\{transport="sse",reason="slow_consumer"\} 1\b/);
      expect(await sseStreams()).toBe(1);
    } finally {
      stalled.close();
      good.close();
      await started.close();
    }
  }, 120_000);
});

describe('SSE resume backlog', () => {
  it('paces a backlog larger than MAX_BUFFERED_BYTES by the reader instead of dropping it', async () => {
    const started = await startServer({ MAX_BUFFERED_BYTES: '65536', HISTORY_LIMIT: '1000' });
    try {
      const start = await started.server.log.head('backlog');
      const chunk = 'y'.repeat(16 * 1024);
      const ids: string[] = [];
      for (let i = 0; i < 500; i++) ids.push(await publishOk(started.url, 'backlog', 'blob', { i, chunk }));
      const reader = await openSse(started.url, `/api/events/backlog?lastEventId=${start}`);
      try {
        await waitFor(() => reader.events.length === ids.length, 'the whole backlog');
        const live = await publishOk(started.url, 'backlog', 'blob', { i: 500 });
        await waitFor(() => reader.events.length === ids.length + 1, 'a live event after the backlog');
        expect(reader.events.map((e) => e.id)).toEqual([...ids, live]);
        const metrics = (await rawRequest(started.url, { path: '/metrics' })).text;
        expect(metrics).not.toMatch(/reason="slow_consumer"/);
      } finally {
        reader.close();
      }
    } finally {
      await started.close();
    }
  });
});
