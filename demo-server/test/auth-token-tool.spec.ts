import path from 'node:path';
import { rawRequest, waitFor } from './support/http-client';
import { runScript } from './support/process';

// Real node processes (not Jest's module system): jose is loaded the way production loads it.
jest.setTimeout(30_000);

const TOKEN_TOOL = path.join(__dirname, '../src/tools/token.ts');
const MAIN = path.join(__dirname, '../src/main.ts');
const SECRET = 'token-tool-secret-of-at-least-32-bytes';

async function mint(args: string[], env: Record<string, string> = { AUTH_SECRET: SECRET }) {
  const tool = runScript(TOKEN_TOOL, args, env);
  const code = await tool.exit;
  return { code, stdout: tool.stdout(), stderr: tool.stderr() };
}

describe('npm run token', () => {
  it('prints only a token on stdout, which a demo-server with the same AUTH_SECRET accepts', async () => {
    const minted = await mint(['--sub', 'alice', '--ttl', '600']);
    expect(minted.code).toBe(0);
    expect(minted.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const token = minted.stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims.sub).toBe('alice');
    expect(claims.exp - claims.iat).toBe(600);

    const main = runScript(MAIN, [], { AUTH_SECRET: SECRET, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DEMO_SCENARIO: 'off' });
    try {
      await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(main.stdout()), 'the listening line');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(main.stdout())![1];
      const refused = await rawRequest(url, { path: '/api/poll/user:alice?timeout=0' });
      expect(refused.status).toBe(401);
      const accepted = await rawRequest(url, { path: `/api/poll/user:alice?timeout=0&access_token=${token}` });
      expect(accepted.status).toBe(200);
      expect(main.stderr()).toBe('');
    } finally {
      main.child.kill('SIGTERM');
      await main.exit;
    }
  });

  it('adds the publish scope and the configured issuer and audience', async () => {
    const minted = await mint(['--sub', 'billing', '--scope', 'publish'], {
      AUTH_SECRET: SECRET,
      AUTH_ISSUER: 'https://issuer.test',
      AUTH_AUDIENCE: 'demo',
    });
    const claims = JSON.parse(Buffer.from(minted.stdout.trim().split('.')[1], 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ sub: 'billing', scope: 'publish', iss: 'https://issuer.test', aud: 'demo' });
  });

  it('exits 1 with a reason when the secret is missing or short, or --sub is missing', async () => {
    const noSecret = await mint(['--sub', 'alice'], {});
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toContain('AUTH_SECRET is not set');
    expect(noSecret.stdout).toBe('');
    const short = await mint(['--sub', 'alice'], { AUTH_SECRET: 'short' });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('AUTH_SECRET must be at least 32 bytes');
    const noSub = await mint([]);
    expect(noSub.code).toBe(1);
    expect(noSub.stderr).toContain('--sub is required');
  });
});
