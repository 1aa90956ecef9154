import { parseArgs } from 'node:util';
// The token entry point alone: minting a token loads no server code.
import { mintToken } from 'ngx-realtime-signals-server/token';
import { ConfigError, loadConfig } from '../config';

const USAGE = `usage: AUTH_SECRET=... npm run -s token -- --sub <user> [--ttl <seconds>] [--scope publish] [--iss <issuer>] [--aud <audience>]
Prints an HS256 token for demo-server on stdout. --iss/--aud default to AUTH_ISSUER/AUTH_AUDIENCE.`;

/** Development tokens: `npm run -s token -- --sub alice` prints one signed with AUTH_SECRET. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
      scope: { type: 'string' },
      iss: { type: 'string' },
      aud: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfig();
  if (config.authSecret === null) throw new ConfigError('AUTH_SECRET is not set; the token must be signed with the server\'s secret');
  if (!values.sub) throw new ConfigError('--sub is required');
  if (!/^[1-9][0-9]{0,8}$/.test(values.ttl)) throw new ConfigError(`--ttl must be a positive number of seconds, got "${values.ttl}"`);
  const token = await mintToken({
    secret: config.authSecret,
    sub: values.sub,
    ttlS: Number(values.ttl),
    scope: values.scope,
    issuer: values.iss ?? config.authIssuer,
    audience: values.aud ?? config.authAudience,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`token: ${message}\n${USAGE}\n`);
  process.exit(1);
});
