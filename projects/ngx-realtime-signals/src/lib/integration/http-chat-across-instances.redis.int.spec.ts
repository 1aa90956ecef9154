import { startInstanceProcess, type InstanceProcess } from '@demo-server/test/support/instance-process';
import {
  deleteKeys,
  randomKeyPrefix,
  redisClient,
  REDIS_TEST_URL,
} from '../../../../ngx-realtime-signals-server/test/support/redis';
import {
  chatAcrossInstances,
  HTTP_CHAT_ENV,
  Members,
  membersThatStopLeave,
  RawHttpMember,
  retriedSendAcrossInstances,
  type HttpChatCluster,
} from './http-chat-across-instances';
import { waitFor } from './realtime-test-support';

/**
 * Chat over SSE and long poll on three demo-server processes sharing one Redis, with no sticky
 * sessions: each request of an HTTP chat connection may land on any instance.
 */
describe('chat over HTTP across instances (Redis), without sticky sessions', () => {
  const prefix = randomKeyPrefix();
  const members = new Members();
  let instances: InstanceProcess[] = [];
  let cluster: HttpChatCluster;

  beforeAll(async () => {
    instances = await Promise.all([0, 1, 2].map(() => startInstanceProcess({ ...HTTP_CHAT_ENV, REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: prefix })));
    cluster = {
      urls: instances.map((instance) => instance.url),
      async logIds(room) {
        const redis = await redisClient();
        try {
          const entries = await redis.sendCommand<[string, string[]][]>(['XRANGE', `${prefix}{chat:${room}}:s`, '-', '+']);
          return entries.map(([id]) => id);
        } finally {
          await redis.close();
        }
      },
    };
  }, 60_000);

  afterAll(async () => {
    members.destroy();
    await Promise.all(instances.map((instance) => instance.kill()));
    const redis = await redisClient();
    await deleteKeys(redis, prefix);
    await redis.close();
  });

  it('acks every message once and delivers it once, in log order, to SSE, long-poll and WebSocket members; presence and typing are global', async () => {
    try {
      await chatAcrossInstances(cluster, members, 'across');
    } finally {
      members.destroy();
    }
  }, 120_000);

  it('gives a send retried on another instance, or from a new connection elsewhere, the original ack and one message', async () => {
    await retriedSendAcrossInstances(cluster, 'retry');
  }, 60_000);

  it('lets a member leave when its stream closes or its polls stop, wherever they went', async () => {
    (await membersThatStopLeave(cluster, 'stop')).close();
  }, 60_000);

  it('lets the members of a killed instance leave once presence expires, and refuses their connections with 404 elsewhere', async () => {
    const watcher = await RawHttpMember.sse(cluster.urls, 'watcher', 0);
    const gus = await RawHttpMember.sse(cluster.urls, 'gus', 1);
    try {
      expect(await watcher.post(2, { type: 'join', room: 'kill' })).toBe(204);
      await watcher.next('joined', (f) => f['room'] === 'kill', 'joined');
      expect(await gus.post(2, { type: 'join', room: 'kill' })).toBe(204);
      await watcher.next('presence', (f) => Array.isArray(f['joined']) && f['joined'].includes('gus'), 'gus joined');
      await instances[1].kill();
      await waitFor(() => watcher.all('presence').some((f) => Array.isArray(f['left']) && f['left'].includes('gus')), 'gus left after the presence expiry', 20_000);
      // The connection died with its instance: the others say so, and the client opens a new one.
      const response = await fetch(`${cluster.urls[0]}/api/chat/sessions/${encodeURIComponent(gus.connectionId)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"type":"ping"}',
      });
      expect(response.status).toBe(404);
    } finally {
      watcher.close();
      gus.close();
    }
  }, 60_000);
});
