import WebSocket from 'ws';
import type { MemoryEventLog } from 'ngx-realtime-signals-server';
import { rawRequest, waitFor } from './support/http-client';
import { startServer } from './support/server';
import { openSse } from './support/sse-reader';

describe('graceful shutdown', () => {
  it('ends SSE streams, answers held polls, closes chat with 1001 and resolves well before the grace period', async () => {
    // A grace period longer than the test timeout: close() must not need it.
    const started = await startServer({ SHUTDOWN_GRACE_MS: '600000' });
    const log = started.server.log as MemoryEventLog;
    const stream = await openSse(started.url, '/api/events/live');
    const head = await log.head('held');
    const poll = rawRequest(started.url, { path: `/api/poll/held?cursor=${head}&timeout=60000` });
    const socket = new WebSocket(`${started.url.replace('http', 'ws')}/api/chat?name=dora`);
    const closeCode = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    await waitFor(() => log.listenerCount('held') === 1, 'the poll to be held');

    await started.close();

    await stream.ended;
    const answer = await poll;
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ events: [], cursor: head });
    expect(await closeCode).toBe(1001);
    expect(log.listenerCount()).toBe(0);
    expect(started.server.http.listening).toBe(false);
  });

  it('refuses new work while shutting down and resolves close() when called twice', async () => {
    const started = await startServer();
    const stream = await openSse(started.url, '/api/events/x');
    const first = started.close();
    const second = started.close();
    expect(second).toBe(first);
    await first;
    await stream.ended;
    await expect(rawRequest(started.url, { path: '/api/health' })).rejects.toThrow();
  });
});
