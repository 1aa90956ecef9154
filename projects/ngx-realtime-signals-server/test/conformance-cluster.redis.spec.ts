import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { startRoundRobinProxy, type RoundRobinProxy } from './support/round-robin-proxy';
import { createRealtime, RedisEventLog, runConformance, type Realtime } from '../src/index';
import { deleteKeys, randomKeyPrefix, redisClient, REDIS_TEST_URL } from './support/redis';

/**
 * The conformance suite from one URL that is a round-robin TCP balancer over two instances on
 * one Redis, no stickiness: the suite sends every chat POST and poll on a connection of its own,
 * so they land on either instance, whichever holds the chat connection.
 */
describe('the conformance suite against two instances behind a round-robin balancer', () => {
  const prefix = randomKeyPrefix();
  const stops: (() => Promise<void>)[] = [];
  let proxy: RoundRobinProxy | undefined;

  afterAll(async () => {
    await proxy?.close();
    for (const stop of stops.splice(0)) await stop();
    const redis = await redisClient();
    await deleteKeys(redis, prefix);
    await redis.close();
  });

  async function instance(): Promise<string> {
    const log = new RedisEventLog({ url: REDIS_TEST_URL, historyLimit: 20, keyPrefix: prefix, blockMs: 1000 });
    await log.ready();
    const realtime: Realtime = createRealtime({
      basePath: '/api',
      log,
      logger: pino({ level: 'silent' }),
      sseHeartbeatMs: 200,
      historyLimit: 20,
      publishEndpoint: true,
    });
    const app = express();
    app.use('/api', realtime.router);
    const server = http.createServer(app);
    realtime.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(async () => {
      await realtime.close();
      await log.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('passes every check, HTTP chat included', async () => {
    const urls = [await instance(), await instance()];
    proxy = await startRoundRobinProxy(urls);
    const report = await runConformance({ baseUrl: `${proxy.url}/api`, heartbeatMs: 200, historyLimit: 20 });
    expect(report.results.filter((result) => !result.passed)).toEqual([]);
    expect(new Set(proxy.routed)).toEqual(new Set([0, 1]));
  }, 120_000);
});
