import { createDemoServer } from '@demo-server/src/app';
import { loadConfig } from '@demo-server/src/config';
import {
  chatAcrossInstances,
  HTTP_CHAT_ENV,
  Members,
  membersThatStopLeave,
  retriedSendAcrossInstances,
  type HttpChatCluster,
} from './http-chat-across-instances';

/** The same chat over HTTP as across instances, on one in-memory instance: every request reaches the same process. */
describe('chat over HTTP on one in-memory instance', () => {
  const members = new Members();
  let server: ReturnType<typeof createDemoServer>;
  let cluster: HttpChatCluster;

  beforeAll(async () => {
    server = createDemoServer(loadConfig({ ...HTTP_CHAT_ENV, LOG_LEVEL: 'silent', DEMO_SCENARIO: 'off', SHUTDOWN_GRACE_MS: '300' }));
    cluster = { urls: [await server.listen(0, '127.0.0.1')] };
  });

  afterAll(async () => {
    members.destroy();
    await server.close();
  });

  it('acks every message once and delivers it once, in order, to SSE, long-poll and WebSocket members; presence and typing reach everyone', async () => {
    await chatAcrossInstances(cluster, members, 'one');
  }, 120_000);

  it('gives a retried send, and the same send from a new connection, the original ack and one message', async () => {
    await retriedSendAcrossInstances(cluster, 'retry');
  }, 60_000);

  it('lets a member leave when its stream closes or its polls stop', async () => {
    (await membersThatStopLeave(cluster, 'stop')).close();
  }, 60_000);
});
