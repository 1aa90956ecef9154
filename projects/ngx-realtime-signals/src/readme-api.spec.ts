/**
 * @jest-environment node
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The README's `ts` blocks in its Library section declare the services' API
 * (`class`, `interface` and `type` declarations). Each one must say exactly
 * what the API report in goldens/public-api/ says, member for member and type
 * for type, so the README cannot drift from the code. A class or interface
 * that implements or extends `ConnectionStatus` may leave out the members it
 * shares with it (the README lists them once).
 */
const root = path.resolve(__dirname, '../../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8').replace(/\r\n/g, '\n');
const golden = readFileSync(path.join(root, 'goldens/public-api/ngx-realtime-signals.api.md'), 'utf8').replace(/\r\n/g, '\n');

/** What the README must declare: every service, its handles and its options. */
const REQUIRED = [
  'NotificationService',
  'Notification',
  'NotificationConnectOptions',
  'LongPollService',
  'LongPollOptions',
  'LongPollFeed',
  'ChatService',
  'ChatRoom',
  'ChatMessage',
  'ConnectionStatus',
  'ConnectionState',
  'RealtimeEvent',
  'RealtimeGap',
];

interface Declaration {
  name: string;
  /** `class X<T> implements Y`, normalized. */
  head: string;
  /** Normalized member signatures (classes and interfaces), or the whole alias (types). */
  members: string[];
}

/** Whitespace-free, without `export`/`declare`, `;` before `}` dropped: two spellings of one type compare equal. */
function normalize(text: string): string {
  return text
    .replace(/\bexport\s+|\bdeclare\s+/g, '')
    .replace(/\s+/g, '')
    .replace(/;}/g, '}')
    .replace(/;$/, '');
}

/** Splits `body` at `;` outside of (), {} and []. */
function splitMembers(body: string): string[] {
  const members: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of body) {
    if ('({['.includes(char)) depth++;
    if (')}]'.includes(char)) depth--;
    if (char === ';' && depth === 0) {
      if (current.trim()) members.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim()) members.push(current.trim());
  return members;
}

/** The class, interface and type declarations of a TypeScript text; `//` comments are ignored. */
function declarations(source: string): Map<string, Declaration> {
  const text = source
    .split('\n')
    .map((line) => line.replace(/\s*\/\/.*$/, ''))
    .join('\n')
    .replace(/\bNotification_2\b/g, 'Notification');
  const found = new Map<string, Declaration>();
  const start = /^(?:export\s+)?(?:declare\s+)?(?:abstract\s+)?(class|interface|type)\s+([A-Za-z_$ɵ][\w$ɵ]*)/gm;
  for (let match = start.exec(text); match; match = start.exec(text)) {
    const [, kind, name] = match;
    if (kind === 'type') {
      const end = splitMembers(text.slice(match.index))[0];
      found.set(name, { name, head: normalize(end), members: [] });
      continue;
    }
    const open = text.indexOf('{', match.index);
    let depth = 0;
    let close = open;
    for (; close < text.length; close++) {
      if (text[close] === '{') depth++;
      if (text[close] === '}' && --depth === 0) break;
    }
    const members = splitMembers(text.slice(open + 1, close))
      .map(normalize)
      .filter((m) => m !== '' && !m.startsWith('constructor('));
    found.set(name, { name, head: normalize(text.slice(match.index, open)), members });
  }
  return found;
}

function readmeApi(): Map<string, Declaration> {
  const library = readme.slice(readme.indexOf('\n## Library\n'), readme.indexOf('\n## Testing your components\n'));
  const blocks = [...library.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const found = new Map<string, Declaration>();
  for (const block of blocks) {
    // Only blocks that declare API; usage examples (components, app.config.ts) start otherwise.
    if (!/^(class|interface|type) /m.test(block) || /@Component|export const|import /.test(block)) continue;
    for (const [name, declaration] of declarations(block)) found.set(name, declaration);
  }
  return found;
}

describe('README API sections', () => {
  const documented = readmeApi();
  const report = declarations(golden.slice(golden.indexOf('```ts'), golden.lastIndexOf('```')));
  const shared = new Set(report.get('ConnectionStatus')?.members ?? []);

  it('declare every service, handle and option type', () => {
    expect(REQUIRED.filter((name) => !documented.has(name))).toEqual([]);
  });

  it.each(REQUIRED)('state %s exactly as the API report does', (name) => {
    const fromReport = report.get(name);
    const fromReadme = documented.get(name);
    expect(fromReport).toBeDefined();
    expect(fromReadme).toBeDefined();
    if (!fromReport || !fromReadme) return;

    expect(fromReadme.head).toBe(fromReport.head);
    const inheritsStatus = name !== 'ConnectionStatus' && /(implements|extends)ConnectionStatus\b/.test(fromReport.head);
    const expected = fromReport.members.filter((m) => !(inheritsStatus && shared.has(m)));
    const missing = expected.filter((m) => !fromReadme.members.includes(m));
    const unknown = fromReadme.members.filter((m) => !fromReport.members.includes(m));
    expect({ missing, unknown }).toEqual({ missing: [], unknown: [] });
  });

  it('declare nothing the API report does not have', () => {
    expect([...documented.keys()].filter((name) => !report.has(name))).toEqual([]);
  });

  it('catch a member whose type drifted', () => {
    const drifted = declarations('interface ChatService { readonly user: Signal<{ name: string } | null>; }').get('ChatService');
    const actual = report.get('ChatService');
    expect(drifted?.members.every((m) => actual?.members.includes(m))).toBe(false);
  });
});
