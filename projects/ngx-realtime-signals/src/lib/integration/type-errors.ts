import * as path from 'node:path';
import ts from 'typescript';

/**
 * Type checks a snippet against the library's public API with the workspace's
 * compiler settings; returns the messages of its errors, each prefixed with its
 * (0-based) line. For type tests of the public generics and unions.
 */
export function typeErrors(snippet: string): string[] {
  const root = path.resolve(__dirname, '../../../../..');
  const file = path.join(__dirname, '__type-test-snippet.ts');
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
