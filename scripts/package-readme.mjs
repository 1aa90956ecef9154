// Writes the README that ships in the npm package, assembled from the workspace
// README's library sections so the two never drift apart.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = readFileSync(join(root, 'README.md'), 'utf8');

function section(heading, next) {
  const start = workspace.indexOf(`\n${heading}\n`);
  const end = workspace.indexOf(`\n${next}\n`, start + 1);
  if (start < 0 || end < 0) throw new Error(`README.md: cannot find the section between "${heading}" and "${next}"`);
  return workspace.slice(start + 1, end + 1);
}

const library = section('## Library', '## Testing your components')
  .replace('## Library\n', '')
  .replaceAll('\n### ', '\n## ')
  // Links relative to the workspace do not resolve on the package page.
  .replace(/\[([^\]]+)\]\((?!https?:|#)[^)]+\)/g, '`$1` in the project repository');

const readme = `# ngx-realtime-signals

Real-time data for Angular as signals: \`NotificationService\` over Server-Sent
Events, \`ChatService\` over WebSocket and \`LongPollService\` over HTTP long
polling, each with connection-state signals you can trust, and no message lost
or shown twice across reconnects. For Angular 21 and 22, zoneless or with
zone.js, SSR-safe.

\`\`\`sh
ng add ngx-realtime-signals            # adds the package and provideRealtime() to your app
ng add ngx-realtime-signals --demo     # ... and a small example component
\`\`\`

The wire protocol the services speak, and a server that implements it, are in
the project repository (\`docs/PROTOCOL.md\`, \`demo-server/\`).
${library}
${section('## Testing your components', '## UI components')}
${section('## UI components', '## Layout')}`;

writeFileSync(join(root, 'dist/ngx-realtime-signals/README.md'), readme);
console.log(`dist/ngx-realtime-signals/README.md: ${readme.length} characters`);
