import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { createClient } from 'redis';

/** The shared Redis of the Redis tests (`*.redis.*spec.ts`); jest.config.js leaves them out when none answers. */
export const REDIS_TEST_URL = process.env['REDIS_TEST_URL'] || 'redis://127.0.0.1:6379';

/** A key prefix of its own per test run, so parallel runs on one Redis never collide. */
export function randomKeyPrefix(): string {
  return `rts-test:${randomBytes(6).toString('hex')}:`;
}

export type TestRedisClient = ReturnType<typeof createClient>;

/** A plain client for inspecting and preparing keys; `deleteKeys` removes a test run's keys. */
export async function redisClient(url = REDIS_TEST_URL): Promise<TestRedisClient> {
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export async function deleteKeys(client: TestRedisClient, prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) keys.push(...batch);
  if (keys.length > 0) await client.del(keys);
}

export interface OwnRedis {
  url: string;
  port: number;
  /** SIGKILL: the data set is gone (it keeps nothing on disk). */
  kill(): Promise<void>;
  /** A fresh, empty redis-server on the same port. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A redis-server of this test alone on a free port (saving nothing to disk), for tests that
 * kill or restart Redis: the shared one on 6379 serves other runs and is never touched.
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (await answersPing(port)) return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, start, stop: kill };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => done(chunk.toString('latin1').startsWith('+PONG')));
  });
}
