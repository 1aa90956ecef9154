// Lets a child `node` process run demo-server's TypeScript sources directly (type-stripping only),
// so tests can exercise main.ts as a real process without a build step. The server package is
// loaded from its sources too: its name maps to src/index.ts and its `./x.js` imports to `./x.ts`.
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const ts = require('typescript');

const SERVER_PACKAGE = path.resolve(__dirname, '../../../projects/ngx-realtime-signals-server/src');
const SERVER_PACKAGE_ENTRIES = {
  'ngx-realtime-signals-server': path.join(SERVER_PACKAGE, 'index.ts'),
  'ngx-realtime-signals-server/token': path.join(SERVER_PACKAGE, 'auth/mint-token.ts'),
};

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (Object.hasOwn(SERVER_PACKAGE_ENTRIES, request)) return SERVER_PACKAGE_ENTRIES[request];
  if (/^\.{1,2}\/.*\.js$/.test(request) && parent?.filename?.endsWith('.ts')) {
    const candidate = path.resolve(path.dirname(parent.filename), request.replace(/\.js$/, '.ts'));
    if (fs.existsSync(candidate)) return candidate;
  }
  return resolveFilename.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};
