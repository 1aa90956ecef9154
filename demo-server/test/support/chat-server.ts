import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from '../../src/config';
import { MemoryEventLog } from '../../src/log/memory-log';
import { createLogger } from '../../src/logger';
import { createMetrics, type Metrics } from '../../src/metrics';
import { createChatServer, type ChatServer } from '../../src/transports/chat';

export interface ChatTestServer {
  /** ws://127.0.0.1:PORT/api/chat */
  wsUrl: string;
  log: MemoryEventLog;
  config: Config;
  metrics: Metrics;
  chat: ChatServer;
  close(): Promise<void>;
}

/** A bare http server with only the chat on it, on a free port. */
export async function startChatServer(env: Record<string, string> = {}): Promise<ChatTestServer> {
  const config = loadConfig({ LOG_LEVEL: 'silent', DEMO_SCENARIO: 'off', ...env });
  const log = new MemoryEventLog({ historyLimit: config.historyLimit });
  const metrics = createMetrics({ defaultMetrics: false });
  const chat = createChatServer({ log, config, logger: createLogger('silent'), metrics });
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => chat.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    wsUrl: `ws://127.0.0.1:${port}/api/chat`,
    log,
    config,
    metrics,
    chat,
    async close() {
      await chat.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log.close();
    },
  };
}
