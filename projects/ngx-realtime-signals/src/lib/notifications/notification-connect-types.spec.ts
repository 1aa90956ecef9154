/**
 * @jest-environment node
 */
import * as path from 'node:path';
import ts from 'typescript';

/**
 * Type checks a snippet against the library's public API with the workspace's
 * compiler settings; returns the messages of its errors.
 */
function typeErrors(snippet: string): string[] {
  const root = path.resolve(__dirname, '../../../../..');
  const file = path.join(__dirname, '__connect-types-snippet.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    experimentalDecorators: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    baseUrl: root,
    paths: { 'ngx-realtime-signals': ['projects/ngx-realtime-signals/src/public-api.ts'] },
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (path.resolve(name) === file ? snippet : readFile(name));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => path.resolve(name) === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(file))
    .map((d) => `${d.start === undefined ? '' : `${program.getSourceFile(file)?.getLineAndCharacterOfPosition(d.start).line}: `}${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

describe('NotificationService.connect options (types)', () => {
  it('holds a parse function to the declared data type and allows text only where T admits a string', () => {
    const errors = typeErrors(`
      import type { NotificationService } from 'ngx-realtime-signals';
      declare const orders: NotificationService<{ text: string }>;
      declare const lines: NotificationService<string>;
      declare const anything: NotificationService;
      orders.connect('o', { parse: (m) => ({ text: m.data }), url: '/s', heartbeatMs: 0 });
      orders.connect('o', { parse: 'json' });
      lines.connect('l', { parse: 'text' });
      anything.connect('a', { parse: 'text' });
      anything.connect('a', { parse: (m) => m.event.length });
      orders.connect('o', { parse: (m) => m.data.length });
      orders.connect('o', { parse: 'text' });
    `);
    // only the last two calls are wrong (lines 10 and 11 of the snippet, counted from 0)
    expect(errors.map((e) => Number(e.split(':')[0]))).toEqual([10, 11]);
    expect(errors.every((e) => e.includes('is not assignable'))).toBe(true);
  });
});
