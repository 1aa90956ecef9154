import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  authTokenError,
  httpError,
  isRealtimeError,
  joinRefusedError,
  networkError,
  REALTIME_ERROR_CODES,
  realtimeError,
  socketClosedError,
} from './errors';

const LIBRARY = path.resolve(__dirname, '../../..');
const README = path.resolve(LIBRARY, '../../README.md');

/** The codes of the README's "Error codes" table, in table order. */
function readmeCodes(): string[] {
  const readme = readFileSync(README, 'utf8');
  const start = readme.indexOf('### Error codes');
  if (start < 0) throw new Error('README.md has no "### Error codes" section');
  const section = readme.slice(start, readme.indexOf('\n#', start + 1));
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
}

/** Every non-spec TypeScript file of the library's entry points. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return file.endsWith('.ts') && !file.endsWith('.spec.ts') ? [file] : [];
  });
}

describe('the error vocabulary', () => {
  it('lists every code once in the README, and nothing else', () => {
    const listed = readmeCodes();
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...REALTIME_ERROR_CODES].sort());
  });

  it('is linked from the lastError row of the README', () => {
    const row = readFileSync(README, 'utf8')
      .split('\n')
      .find((line) => line.startsWith('| `lastError()` |'));
    expect(row).toContain('(#error-codes)');
  });

  it('is built only by core/errors.ts: no other library file writes an error literal', () => {
    const offenders = [path.join(LIBRARY, 'src'), path.join(LIBRARY, 'testing/src'), path.join(LIBRARY, 'ui/src')]
      .flatMap(sources)
      .filter((file) => !file.endsWith(path.join('core', 'errors.ts')))
      .filter((file) => {
        const code = readFileSync(file, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/^\s*\/\/.*$/gm, '');
        return /\{\s*code:\s*['"`]/.test(code);
      })
      .map((file) => path.relative(LIBRARY, file));
    expect(offenders).toEqual([]);
  });
});

describe('error builders', () => {
  it('gives every refused HTTP answer the code http_error with its status and the server code', () => {
    expect(httpError(401, 'no', 'unauthorized')).toEqual({
      code: 'http_error',
      message: 'no',
      status: 401,
      serverCode: 'unauthorized',
      retryable: false,
    });
    expect(httpError(503)).toEqual({ code: 'http_error', message: 'HTTP 503', status: 503, retryable: true });
    expect([408, 425, 429, 500, 502, 504].map((s) => httpError(s).retryable)).toEqual([true, true, true, true, true, true]);
    expect([204, 400, 403, 404].map((s) => httpError(s).retryable)).toEqual([false, false, false, false]);
  });

  it('turns only a 401 with token_expired into the retryable token_expired', () => {
    expect(httpError(401, 'expired', 'token_expired')).toMatchObject({ code: 'token_expired', status: 401, retryable: true });
    expect(httpError(403, 'expired', 'token_expired')).toMatchObject({ code: 'http_error', retryable: false });
  });

  it('maps socket close codes: 4401 expired token, 1008 final, others retried', () => {
    expect(socketClosedError(4401, 'token expired')).toMatchObject({ code: 'token_expired', retryable: true });
    expect(socketClosedError(1008)).toMatchObject({ code: 'socket_closed', retryable: false });
    expect(socketClosedError(1006)).toEqual({ code: 'socket_closed', message: 'The chat connection closed (1006).', retryable: true });
  });

  it('reports a failing token function as auth_token_failed, keeping a RealtimeError it rejected with', () => {
    expect(authTokenError(new Error('refresh failed'))).toEqual({
      code: 'auth_token_failed',
      message: 'The auth token function failed: refresh failed',
      retryable: true,
    });
    const own = httpError(401);
    expect(authTokenError(own)).toBe(own);
  });

  it('keeps a refused join with the server reason', () => {
    expect(joinRefusedError('too_many_rooms', 'limit')).toEqual({
      code: 'join_refused',
      message: 'limit',
      serverCode: 'too_many_rooms',
      retryable: false,
    });
  });

  it('recognises only values with a code of the vocabulary as RealtimeErrors', () => {
    expect(isRealtimeError(networkError('reset'))).toBe(true);
    expect(isRealtimeError(realtimeError('offline', 'offline', true))).toBe(true);
    expect(isRealtimeError({ code: 'http_401', message: 'no', retryable: false })).toBe(false);
    expect(isRealtimeError(new Error('boom'))).toBe(false);
  });
});
