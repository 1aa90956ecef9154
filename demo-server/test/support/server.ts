import { createDemoServer, type DemoServer } from '../../src/app';
import { loadConfig } from '../../src/config';

export interface StartedServer {
  /** Base URL like http://127.0.0.1:PORT */
  url: string;
  server: DemoServer;
  close(): Promise<void>;
}

/**
 * Starts a real demo-server on a free port of 127.0.0.1, quiet and without the
 * demo scenario; `env` overrides any setting (e.g. `{ HISTORY_LIMIT: '5' }`).
 *
 * @example
 * const { url, close } = await startServer({ SSE_HEARTBEAT_MS: '50' });
 * afterAll(close);
 */
export async function startServer(env: Record<string, string> = {}): Promise<StartedServer> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DEMO_SCENARIO: 'off',
    STATIC_DIR: '/nonexistent/demo-server-test-static',
    SHUTDOWN_GRACE_MS: '2000',
    ...env,
  });
  const server = createDemoServer(config);
  const url = await server.listen(0, '127.0.0.1');
  return { url, server, close: () => server.close() };
}
