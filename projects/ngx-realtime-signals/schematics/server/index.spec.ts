import { SchematicTestRunner, UnitTestTree } from '@angular-devkit/schematics/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const collectionPath = join(__dirname, '..', 'collection.json');
const libraryVersion = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string })
  .version;
const SERVER = '/projects/shop/src/server.ts';
const REALTIME = '/projects/shop/src/realtime.ts';

async function createWorkspace(runner: SchematicTestRunner, ssr: boolean): Promise<UnitTestTree> {
  const tree = await runner.runExternalSchematic('@schematics/angular', 'workspace', {
    name: 'workspace',
    newProjectRoot: 'projects',
    version: '21.2.0',
  });
  return runner.runExternalSchematic('@schematics/angular', 'application', { name: 'shop', standalone: true, ssr }, tree);
}

function snapshot(tree: UnitTestTree): Map<string, string> {
  return new Map(tree.files.map((file) => [file, tree.readContent(file)]));
}

function syntaxErrors(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const diagnostics = (source as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('server', () => {
  let runner: SchematicTestRunner;
  let logs: string[];

  beforeEach(() => {
    runner = new SchematicTestRunner('ngx-realtime-signals', collectionPath);
    logs = [];
    runner.logger.subscribe((entry) => logs.push(entry.message));
  });

  describe('in the application that ng new --ssr generates', () => {
    let workspace: UnitTestTree;
    let generated: string;

    beforeEach(async () => {
      workspace = await createWorkspace(runner, true);
      generated = workspace.readContent(SERVER);
    });

    it('creates src/realtime.ts exporting the instance at the base path', async () => {
      const tree = await runner.runSchematic('server', { basePath: '/realtime/v1' }, workspace);

      const realtime = tree.readContent(REALTIME);
      expect(realtime).toContain("import { createRealtime } from 'ngx-realtime-signals-server';");
      expect(realtime).toContain("export const realtime = createRealtime({ basePath: '/realtime/v1' });");
      expect(syntaxErrors(REALTIME, realtime)).toEqual([]);
    });

    it('imports realtime into server.ts and mounts its router before static files and the Angular handler', async () => {
      const tree = await runner.runSchematic('server', {}, workspace);

      const server = tree.readContent(SERVER);
      expect(server).toContain("import { realtime } from './realtime';");
      const mount = server.indexOf('app.use(realtime.basePath, realtime.router);');
      expect(mount).toBeGreaterThan(server.indexOf('const app = express();'));
      expect(mount).toBeLessThan(server.indexOf('express.static('));
      expect(mount).toBeLessThan(server.indexOf('angularApp\n    .handle(req)'));
      expect(server.match(/realtime\.router/g)).toHaveLength(1);
    });

    it('attaches the WebSocket chat to the server that app.listen returns, inside the main-module guard', async () => {
      const tree = await runner.runSchematic('server', {}, workspace);

      const server = tree.readContent(SERVER);
      const guard = server.slice(server.indexOf('if (isMainModule('), server.indexOf('export const reqHandler'));
      expect(guard).toContain('  const server = app.listen(port, (error) => {');
      expect(guard).toMatch(/\n {2}\}\);\n {2}realtime\.attach\(server\);\n/);
      expect(server.match(/realtime\.attach\(/g)).toHaveLength(1);
    });

    it('stops gracefully on SIGTERM and SIGINT: realtime.close() first, then the server', async () => {
      const tree = await runner.runSchematic('server', {}, workspace);

      const server = tree.readContent(SERVER);
      const guard = server.slice(server.indexOf('if (isMainModule('), server.indexOf('export const reqHandler'));
      expect(guard).toContain(
        [
          '  realtime.attach(server);',
          '  // ngx-realtime-signals: on SIGTERM/SIGINT, end the realtime connections (clients resume from',
          '  // their cursor on another instance), then stop accepting requests and exit.',
          "  for (const signal of ['SIGTERM', 'SIGINT'] as const) {",
          '    process.once(signal, () => {',
          '      void realtime.close().finally(() => server.close(() => process.exit(0)));',
          '    });',
          '  }',
          '}',
        ].join('\n'),
      );
      expect(logs).toContain('ngx-realtime-signals: on SIGTERM/SIGINT it now awaits realtime.close(), then closes the server.');
    });

    it('changes nothing else in server.ts and leaves it valid TypeScript', async () => {
      const tree = await runner.runSchematic('server', {}, workspace);

      const server = tree.readContent(SERVER);
      expect(syntaxErrors(SERVER, server)).toEqual([]);
      const restored = server
        .replace("\nimport { realtime } from './realtime';", '')
        .replace(/\/\*\*\n \* ngx-realtime-signals:[^/]*\/\napp\.use\(realtime\.basePath, realtime\.router\);\n\n/, '')
        .replace('const server = app.listen(', 'app.listen(')
        .replace(/\n {2}realtime\.attach\(server\);\n(?: {2}\/\/.*\n){2} {2}for [^]*?\n {2}\}/, '');
      expect(restored).toBe(generated);
    });

    it('adds ngx-realtime-signals-server to the dependencies with the library version', async () => {
      const tree = await runner.runSchematic('server', {}, workspace);

      expect(JSON.parse(tree.readContent('/package.json')).dependencies['ngx-realtime-signals-server']).toBe(
        `^${libraryVersion}`,
      );
      expect(logs).toContain(`ngx-realtime-signals: added ngx-realtime-signals-server@^${libraryVersion} to package.json dependencies.`);
    });

    it('keeps a server package specifier the application already has', async () => {
      const manifest = JSON.parse(workspace.readContent('/package.json'));
      manifest.dependencies['ngx-realtime-signals-server'] = 'file:ngx-realtime-signals-server-0.1.0.tgz';
      workspace.overwrite('/package.json', JSON.stringify(manifest, null, 2));

      const tree = await runner.runSchematic('server', {}, workspace);

      expect(JSON.parse(tree.readContent('/package.json')).dependencies['ngx-realtime-signals-server']).toBe(
        'file:ngx-realtime-signals-server-0.1.0.tgz',
      );
    });

    it('changes nothing when it runs a second time', async () => {
      const once = await runner.runSchematic('server', {}, workspace);
      const before = snapshot(once);
      logs.length = 0;

      const twice = await runner.runSchematic('server', {}, once);

      expect(snapshot(twice)).toEqual(before);
      expect(logs).toEqual([
        'ngx-realtime-signals: projects/shop/src/server.ts already serves realtime; left unchanged.',
        `ngx-realtime-signals: package.json already depends on ngx-realtime-signals-server (^${libraryVersion}).`,
      ]);
    });

    it('keeps an existing src/realtime.ts that exports realtime', async () => {
      const own = "import { createRealtime } from 'ngx-realtime-signals-server';\nexport const realtime = createRealtime({ basePath: '/rt', historyLimit: 50 });\n";
      workspace.create(REALTIME, own);

      const tree = await runner.runSchematic('server', {}, workspace);

      expect(tree.readContent(REALTIME)).toBe(own);
      expect(tree.readContent(SERVER)).toContain('realtime.attach(server);');
      expect(logs).toContain('ngx-realtime-signals: projects/shop/src/realtime.ts already exists; left unchanged.');
    });

    it('refuses an existing src/realtime.ts that does not export realtime, and changes nothing', async () => {
      workspace.create(REALTIME, 'export const clock = 1;\n');
      const before = snapshot(workspace);

      await expect(runner.runSchematic('server', {}, workspace)).rejects.toThrow(
        'ngx-realtime-signals: projects/shop/src/realtime.ts exists but does not export const realtime; rename it or export the instance of createRealtime(...) from it, then run this again.',
      );
      expect(snapshot(workspace)).toEqual(before);
    });

    it('refuses a base path that is not a URL path', async () => {
      await expect(runner.runSchematic('server', { basePath: 'api/' }, workspace)).rejects.toThrow(
        'ngx-realtime-signals: the base path must be a URL path such as /api or /realtime/v1 (segments of letters, digits, ".", "_", "~", "-"), not "api/".',
      );
    });
  });

  describe('in a server.ts of another shape', () => {
    let workspace: UnitTestTree;

    beforeEach(async () => {
      workspace = await createWorkspace(runner, true);
    });

    function withServer(text: string): UnitTestTree {
      workspace.overwrite(SERVER, text);
      return workspace;
    }

    it('attaches to a server that the file already keeps in a variable', async () => {
      const tree = await runner.runSchematic(
        'server',
        {},
        withServer(
          [
            "import express from 'express';",
            'const app = express();',
            "app.use(express.static('dist'));",
            'const httpServer = app.listen(4000);',
            "process.on('SIGTERM', () => httpServer.close());",
            '',
          ].join('\n'),
        ),
      );

      expect(tree.readContent(SERVER)).toBe(
        [
          "import express from 'express';",
          "import { realtime } from './realtime';",
          'const app = express();',
          '/**',
          ' * ngx-realtime-signals: the realtime HTTP API (SSE, long polling, health) under realtime.basePath,',
          ' * mounted before the Angular handler (the WebSocket chat is attached where the server listens).',
          ' */',
          'app.use(realtime.basePath, realtime.router);',
          '',
          "app.use(express.static('dist'));",
          'const httpServer = app.listen(4000);',
          'realtime.attach(httpServer);',
          "process.on('SIGTERM', () => httpServer.close());",
          '',
        ].join('\n'),
      );
      expect(logs).toContain(
        'ngx-realtime-signals: projects/shop/src/server.ts handles SIGTERM itself; await realtime.close() there before closing the server, ' +
          'or open SSE streams and held polls keep it from closing.',
      );
    });

    it('picks another name for the server when "server" is taken', async () => {
      const tree = await runner.runSchematic(
        'server',
        {},
        withServer(["import express from 'express';", 'const server = express();', 'server.use(() => {});', 'server.listen(4000);', ''].join('\n')),
      );

      const wired = tree.readContent(SERVER);
      expect(wired).toContain('server.use(realtime.basePath, realtime.router);');
      expect(wired).toContain('const httpServer = server.listen(4000);\nrealtime.attach(httpServer);');
      expect(wired).toContain('void realtime.close().finally(() => httpServer.close(() => process.exit(0)));');
    });

    const unknownShapes: [string, string, string][] = [
      [
        'a file that never listens',
        "import express from 'express';\nconst app = express();\napp.use(() => {});\nexport default app;\n",
        'it never calls app.listen(...), so there is no server to attach the WebSocket chat to',
      ],
      [
        'a file that listens twice',
        "import express from 'express';\nconst app = express();\napp.use(() => {});\napp.listen(1);\napp.listen(2);\n",
        'it calls app.listen(...) 2 times',
      ],
      [
        'a file that builds the app inside a function',
        "import express from 'express';\nexport function app() {\n  const server = express();\n  return server;\n}\napp().listen(4000);\n",
        'it has no top-level "const app = express();"',
      ],
      ['a file without express', "import { createServer } from 'node:http';\ncreateServer().listen(4000);\n", "it does not import express (import express from 'express')"],
      [
        'a file that registers no handler',
        "import express from 'express';\nconst app = express();\napp.listen(4000);\n",
        'it registers no handler with app.use(...) after creating app',
      ],
      [
        'a file that passes the listening server on',
        "import express from 'express';\nconst app = express();\napp.use(() => {});\nexport default app.listen(4000);\n",
        'its app.listen(...) is neither a statement of its own nor "const server = app.listen(...)"',
      ],
      [
        'a file that is partly wired',
        "import express from 'express';\nimport { realtime } from './realtime';\nconst app = express();\napp.use(realtime.basePath, realtime.router);\napp.listen(4000);\n",
        'it is partly wired already; it lacks realtime.attach(server) on the server that app.listen(...) returns',
      ],
      [
        'a file that uses the name realtime for something else',
        "import express from 'express';\nconst app = express();\nconst realtime = true;\napp.use(() => {});\napp.listen(4000);\n",
        'it is partly wired already; it lacks app.use(realtime.basePath, realtime.router) before the Angular handler; realtime.attach(server) on the server that app.listen(...) returns',
      ],
    ];

    it.each(unknownShapes)('fails on %s with what was not found and what to add by hand, changing nothing', async (_, text, reason) => {
      const before = snapshot(withServer(text));

      const failure = runner.runSchematic('server', {}, workspace);

      await expect(failure).rejects.toThrow(
        `ngx-realtime-signals: cannot wire ngx-realtime-signals-server into projects/shop/src/server.ts: ${reason}.\nWire it by hand:`,
      );
      await expect(failure).rejects.toThrow("export const realtime = createRealtime({ basePath: '/api' });");
      await expect(failure).rejects.toThrow('realtime.attach(server);');
      expect(snapshot(workspace)).toEqual(before);
    });
  });

  it('refuses an application without server-side rendering and says how to add it', async () => {
    const workspace = await createWorkspace(runner, false);

    await expect(runner.runSchematic('server', {}, workspace)).rejects.toThrow(
      'ngx-realtime-signals: project "shop" has no server entry (angular.json: projects.shop.architect.build.options.ssr.entry). Add server-side rendering with an Express server first (ng add @angular/ssr), then run this again.',
    );
  });

  it('refuses a server entry that angular.json names but the workspace lacks', async () => {
    const workspace = await createWorkspace(runner, true);
    workspace.delete(SERVER);

    await expect(runner.runSchematic('server', {}, workspace)).rejects.toThrow(
      'ngx-realtime-signals: angular.json names projects/shop/src/server.ts as the server entry, but there is no such file.',
    );
  });
});

describe('ng-add --server', () => {
  let runner: SchematicTestRunner;

  beforeEach(() => {
    runner = new SchematicTestRunner('ngx-realtime-signals', collectionPath);
  });

  it('sets up the client and the SSR server at the same base path', async () => {
    const workspace = await createWorkspace(runner, true);

    const tree = await runner.runSchematic('ng-add', { server: true, baseUrl: '/rt' }, workspace);

    expect(tree.readContent('/projects/shop/src/app/app.config.ts')).toContain("provideRealtime({ baseUrl: '/rt' })");
    expect(tree.readContent(REALTIME)).toContain("createRealtime({ basePath: '/rt' })");
    expect(tree.readContent(SERVER)).toContain('realtime.attach(server);');
    const dependencies = JSON.parse(tree.readContent('/package.json')).dependencies;
    expect(dependencies['ngx-realtime-signals']).toBe(`^${libraryVersion}`);
    expect(dependencies['ngx-realtime-signals-server']).toBe(`^${libraryVersion}`);
  });

  it('changes nothing when it runs a second time', async () => {
    const once = await runner.runSchematic('ng-add', { server: true, demo: true }, await createWorkspace(runner, true));
    const before = snapshot(once);

    const twice = await runner.runSchematic('ng-add', { server: true, demo: true }, once);

    expect(snapshot(twice)).toEqual(before);
  });

  it('leaves server.ts alone without --server', async () => {
    const workspace = await createWorkspace(runner, true);
    const generated = workspace.readContent(SERVER);

    const tree = await runner.runSchematic('ng-add', {}, workspace);

    expect(tree.readContent(SERVER)).toBe(generated);
    expect(tree.exists(REALTIME)).toBe(false);
    expect(JSON.parse(tree.readContent('/package.json')).dependencies['ngx-realtime-signals-server']).toBeUndefined();
  });

  it('refuses a base URL that is not a path, since the server mounts the API at it', async () => {
    const workspace = await createWorkspace(runner, true);

    await expect(runner.runSchematic('ng-add', { server: true, baseUrl: 'https://rt.example.com/api' }, workspace)).rejects.toThrow(
      'ngx-realtime-signals: --server serves the realtime API from this application\'s own server, so --base-url must be a path such as /api, not "https://rt.example.com/api".',
    );
  });

  it('changes nothing when the application has no SSR server', async () => {
    const workspace = await createWorkspace(runner, false);
    const before = snapshot(workspace);

    await expect(runner.runSchematic('ng-add', { server: true }, workspace)).rejects.toThrow('has no server entry');
    expect(snapshot(workspace)).toEqual(before);
  });
});
