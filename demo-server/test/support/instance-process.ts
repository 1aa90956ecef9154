import path from 'node:path';
import { runScript, type RunningScript } from './process';

const MAIN = path.join(__dirname, '../../src/main.ts');

export interface InstanceProcess {
  /** Base URL like http://127.0.0.1:PORT */
  readonly url: string;
  readonly script: RunningScript;
  /** SIGKILL: no shutdown, no goodbye to clients or Redis. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit (graceful shutdown). */
  stop(): Promise<void>;
}

/**
 * demo-server's main.ts as a real process on a free port of 127.0.0.1 (quiet, no demo scenario),
 * for tests that kill an instance. Resolves once it listens and its health answers 200.
 */
export async function startInstanceProcess(env: Record<string, string>): Promise<InstanceProcess> {
  const script = runScript(MAIN, [], { LOG_LEVEL: 'silent', DEMO_SCENARIO: 'off', HOST: '127.0.0.1', PORT: '0', ...env });
  const deadline = Date.now() + 30_000;
  let url: string | undefined;
  while (url === undefined) {
    url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(script.stdout())?.[1];
    if (script.child.exitCode !== null) throw new Error(`instance exited: ${script.stderr()}`);
    if (Date.now() > deadline) throw new Error(`instance did not start: ${script.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (;;) {
    const status = await fetch(`${url}/api/health`).then((r) => r.status, () => 0);
    if (status === 200) break;
    if (Date.now() > deadline) throw new Error(`instance never became healthy: ${script.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const base = url;
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (script.child.exitCode !== null || script.child.signalCode !== null) return;
    script.child.kill(name);
    await script.exit;
  };
  return { url: base, script, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
