import type { Config } from '../../src/config';
import type { DemoServer } from '../../src/app';
import { MemoryEventLog, type Metrics } from 'ngx-realtime-signals-server';
import { startServer } from './server';

export interface ChatTestServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** ws://127.0.0.1:PORT/api/chat */
  wsUrl: string;
  server: DemoServer;
  log: MemoryEventLog;
  config: Config;
  metrics: Metrics;
  /** Open chat sockets, as the realtime_connections gauge reports them. */
  connectionCount(): Promise<number>;
  close(): Promise<void>;
}

/** The real demo-server (createDemoServer) on a free port, with the chat's view of it. */
export async function startChatServer(env: Record<string, string> = {}): Promise<ChatTestServer> {
  const started = await startServer(env);
  const { server } = started;
  if (!(server.log instanceof MemoryEventLog)) throw new Error('chat tests expect the embedded memory log');
  return {
    url: started.url,
    wsUrl: `${started.url.replace(/^http/, 'ws')}/api/chat`,
    server,
    log: server.log,
    config: server.config,
    metrics: server.metrics,
    async connectionCount() {
      const { values } = await server.metrics.connections.get();
      return values.find((value) => value.labels.transport === 'websocket')?.value ?? 0;
    },
    close: started.close,
  };
}
