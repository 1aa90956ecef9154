import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { MemoryEventLog, createRealtime, type Realtime } from '../src/index';
import type { ReadResult } from '../src/log/event-log';

const quiet = pino({ level: 'silent' });

/** The in-memory log, counting reads per cursor. */
class CountingLog extends MemoryEventLog {
  readonly reads = new Map<string, number>();
  override read(topic: string, cursor: string | null, limit: number): Promise<ReadResult> {
    const key = `${topic} ${cursor ?? 'now'}`;
    this.reads.set(key, (this.reads.get(key) ?? 0) + 1);
    return super.read(topic, cursor, limit);
  }
}

async function serve(configure: (app: express.Express) => void = () => undefined) {
  const log = new CountingLog({ historyLimit: 100 });
  const realtime: Realtime = createRealtime({ basePath: '/api', logger: quiet, log, publishEndpoint: true });
  const app = express();
  configure(app);
  app.use(realtime.basePath, realtime.router);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    log,
    realtime,
    async stop() {
      await realtime.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function until(test: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (test()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('long poll', () => {
  it('answers the held polls of a topic from one read and one subscription, byte for byte alike', async () => {
    const running = await serve();
    try {
      const head = await running.log.head('shared');
      const polls = Array.from({ length: 12 }, (_, i) =>
        fetch(`${running.url}/api/poll/shared?cursor=${head}&timeout=60000${i % 2 === 0 ? '' : '&limit=100'}`),
      );
      await until(() => running.realtime.connectionCounts().longPoll === 12, '12 held polls');
      expect(running.log.listenerCount('shared')).toBe(1);
      const event = await running.realtime.publish('shared', 'note', { n: 1 });
      const bodies = await Promise.all(polls.map(async (poll) => (await poll).text()));
      expect(new Set(bodies).size).toBe(1);
      expect(JSON.parse(bodies[0])).toEqual({ events: [event], cursor: event.id });
      // 12 first reads, then one shared read for the wake (limit 100 is the default: one group)
      expect(running.log.reads.get(`shared ${head}`)).toBe(13);
      await until(() => running.log.listenerCount('shared') === 0, 'the subscription to end');
    } finally {
      await running.stop();
    }
  });

  it('sends what res.json would: JSON content type, no-store, and the app ETag with 304 on a match', async () => {
    const running = await serve();
    try {
      const event = await running.realtime.publish('tagged', 'note', { n: 1 });
      const url = `${running.url}/api/poll/tagged?cursor=${encodeURIComponent(`${running.log.epoch}-0`)}&timeout=0`;
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const text = await res.text();
      expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
      expect(JSON.parse(text)).toEqual({ events: [event], cursor: event.id });
      const etag = res.headers.get('etag');
      expect(etag).toBe(express().get('etag fn')(Buffer.from(text)));
      // (fetch would add Cache-Control: no-cache to a conditional request, which is never fresh)
      const again = await new Promise<number | undefined>((resolve, reject) => {
        http.get(url, { headers: { 'if-none-match': etag! } }, (answer) => {
          answer.resume();
          resolve(answer.statusCode);
        }).on('error', reject);
      });
      expect(again).toBe(304);
    } finally {
      await running.stop();
    }
    const untagged = await serve((app) => app.set('etag', false));
    try {
      const res = await fetch(`${untagged.url}/api/poll/tagged?timeout=0`);
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBeNull();
    } finally {
      await untagged.stop();
    }
  });
});
