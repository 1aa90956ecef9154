import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The version of the installed ngx-realtime-signals; its server package is released in step with it. */
export function ownVersion(): string {
  // The compiled file sits at schematics/shared/own-version.js, two levels below the package's package.json.
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}
