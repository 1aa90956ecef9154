import { parseArgs } from 'node:util';
import { runConformance, type CheckResult } from './conformance.js';

const USAGE = `Usage: ngx-realtime-signals-server conformance <base-url> [options]

Checks a server against the ngx-realtime-signals protocol (SSE, long poll,
publish, WebSocket chat, health) with fetch, the eventsource package and ws.

  <base-url>              where the routes live, e.g. http://localhost:8080/api
  --token <jwt>           bearer token (with the "publish" scope) for a server with auth on
  --heartbeat-ms <n>      the server's SSE heartbeat interval (default 15000)
  --history-limit <n>     the server's history per topic (default 1000)
  --body-limit <n>        the server's publish body limit in bytes (default 65536)
  -h, --help              this text

Prints one line per check and "N passed, N failed"; exits 1 when a check fails, 2 on bad usage.`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[1-9][0-9]{0,9}$/.test(value)) throw new UsageError(`${name} must be a positive integer, got "${value}"`);
  return Number(value);
}

class UsageError extends Error {}

/**
 * The `ngx-realtime-signals-server` command; resolves with the exit code.
 *
 * @example
 * process.exitCode = await main(['conformance', 'http://localhost:8080/api']);
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        token: { type: 'string' },
        'heartbeat-ms': { type: 'string' },
        'history-limit': { type: 'string' },
        'body-limit': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const [command, baseUrl, ...rest] = positionals;
  if (command !== 'conformance' || baseUrl === undefined || rest.length > 0) {
    io.err(USAGE);
    return 2;
  }
  let options;
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`the base URL must be http(s), got "${baseUrl}"`);
    options = {
      baseUrl,
      token: values.token ?? null,
      heartbeatMs: positiveInteger(values['heartbeat-ms'], '--heartbeat-ms', 15_000),
      historyLimit: positiveInteger(values['history-limit'], '--history-limit', 1000),
      bodyLimitBytes: positiveInteger(values['body-limit'], '--body-limit', 65_536),
    };
  } catch (error) {
    io.err(`${error instanceof TypeError ? `the base URL is not a URL: "${baseUrl}"` : (error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  io.out(`conformance: ${baseUrl}`);
  const report = await runConformance({
    ...options,
    onResult: (result: CheckResult) => {
      io.out(`${result.passed ? 'ok  ' : 'FAIL'} ${result.name} (${result.ms} ms)`);
      if (!result.passed) io.out(`       ${result.message}`);
    },
  });
  io.out(`${report.passed} passed, ${report.failed} failed`);
  return report.failed === 0 ? 0 : 1;
}
