import { SchematicTestRunner, UnitTestTree } from '@angular-devkit/schematics/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const collectionPath = join(__dirname, '..', 'collection.json');
const libraryVersion = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string })
  .version;

async function createWorkspace(runner: SchematicTestRunner, apps: { name: string; standalone: boolean }[]) {
  let tree = await runner.runExternalSchematic('@schematics/angular', 'workspace', {
    name: 'workspace',
    newProjectRoot: 'projects',
    version: '21.2.0',
  });
  for (const app of apps) {
    tree = await runner.runExternalSchematic(
      '@schematics/angular',
      'application',
      { name: app.name, standalone: app.standalone, skipTests: false, ssr: false },
      tree,
    );
  }
  return tree;
}

function snapshot(tree: UnitTestTree): Map<string, string> {
  return new Map(tree.files.map((file) => [file, tree.readContent(file)]));
}

describe('ng-add', () => {
  let runner: SchematicTestRunner;
  let logs: string[];

  beforeEach(() => {
    runner = new SchematicTestRunner('ngx-realtime-signals', collectionPath);
    logs = [];
    runner.logger.subscribe((entry) => logs.push(entry.message));
  });

  describe('in a standalone application', () => {
    let workspace: UnitTestTree;

    beforeEach(async () => {
      workspace = await createWorkspace(runner, [{ name: 'shop', standalone: true }]);
    });

    it('adds the library to package.json dependencies with its own version', async () => {
      const tree = await runner.runSchematic('ng-add', {}, workspace);

      const manifest = JSON.parse(tree.readContent('/package.json'));
      expect(manifest.dependencies['ngx-realtime-signals']).toBe(`^${libraryVersion}`);
      expect(logs).toContain(`ngx-realtime-signals: added ngx-realtime-signals@^${libraryVersion} to package.json dependencies.`);
    });

    it('adds provideRealtime with the default base URL to app.config.ts and imports it', async () => {
      const tree = await runner.runSchematic('ng-add', {}, workspace);

      const config = tree.readContent('/projects/shop/src/app/app.config.ts');
      expect(config).toContain("import { provideRealtime } from 'ngx-realtime-signals';");
      expect(config).toMatch(/providers: \[[^\]]*provideRealtime\(\{ baseUrl: '\/api' \}\)/s);
      expect(logs).toContain(
        "ngx-realtime-signals: added provideRealtime({ baseUrl: '/api' }) to projects/shop/src/app/app.config.ts.",
      );
    });

    it('passes --base-url through as a quoted string', async () => {
      const tree = await runner.runSchematic('ng-add', { baseUrl: "https://rt.example.com/it's" }, workspace);

      expect(tree.readContent('/projects/shop/src/app/app.config.ts')).toContain(
        "provideRealtime({ baseUrl: 'https://rt.example.com/it\\'s' })",
      );
    });

    it('changes nothing when it runs a second time', async () => {
      const once = await runner.runSchematic('ng-add', { demo: true }, workspace);
      const before = snapshot(once);
      logs.length = 0;

      const twice = await runner.runSchematic('ng-add', { demo: true }, once);

      expect(snapshot(twice)).toEqual(before);
      expect(twice.readContent('/projects/shop/src/app/app.config.ts').match(/provideRealtime\(/g)).toHaveLength(1);
      expect(logs).toEqual(
        expect.arrayContaining([
          `ngx-realtime-signals: package.json already depends on ngx-realtime-signals (^${libraryVersion}).`,
          'ngx-realtime-signals: projects/shop/src/app/app.config.ts already calls provideRealtime(...); left unchanged.',
          'ngx-realtime-signals: projects/shop/src/app/realtime-demo/realtime-demo.ts already exists; left unchanged.',
        ]),
      );
    });

    it('keeps a dependency specifier the application already has', async () => {
      const manifest = JSON.parse(workspace.readContent('/package.json'));
      manifest.dependencies['ngx-realtime-signals'] = 'file:ngx-realtime-signals-0.1.0.tgz';
      workspace.overwrite('/package.json', JSON.stringify(manifest, null, 2));

      const tree = await runner.runSchematic('ng-add', {}, workspace);

      expect(JSON.parse(tree.readContent('/package.json')).dependencies['ngx-realtime-signals']).toBe(
        'file:ngx-realtime-signals-0.1.0.tgz',
      );
    });

    it('generates no demo component unless asked', async () => {
      const tree = await runner.runSchematic('ng-add', {}, workspace);

      expect(tree.files.filter((file) => file.includes('realtime-demo'))).toEqual([]);
    });

    it('generates a demo component and a spec that uses the testing entry point with --demo', async () => {
      const tree = await runner.runSchematic('ng-add', { demo: true }, workspace);

      const component = tree.readContent('/projects/shop/src/app/realtime-demo/realtime-demo.ts');
      expect(component).toContain("selector: 'app-realtime-demo'");
      expect(component).toContain("this.notifications.connect('notifications')");
      const spec = tree.readContent('/projects/shop/src/app/realtime-demo/realtime-demo.spec.ts');
      expect(spec).toContain("from 'ngx-realtime-signals/testing'");
      expect(spec).toContain("realtime.expectOne({ transport: 'sse', topic: 'notifications' })");
      expect(logs).toContain('ngx-realtime-signals: created projects/shop/src/app/realtime-demo/realtime-demo.ts.');
    });
  });

  describe('in an NgModule application', () => {
    it('adds provideRealtime to the root module providers', async () => {
      const workspace = await createWorkspace(runner, [{ name: 'legacy', standalone: false }]);

      const tree = await runner.runSchematic('ng-add', { baseUrl: '/rt' }, workspace);

      const module = tree.readContent('/projects/legacy/src/app/app-module.ts');
      expect(module).toContain("import { provideRealtime } from 'ngx-realtime-signals';");
      expect(module).toMatch(/providers: \[[^\]]*provideRealtime\(\{ baseUrl: '\/rt' \}\)/s);
    });

    it('changes nothing when it runs a second time', async () => {
      const workspace = await createWorkspace(runner, [{ name: 'legacy', standalone: false }]);
      const once = await runner.runSchematic('ng-add', {}, workspace);
      const before = snapshot(once);

      const twice = await runner.runSchematic('ng-add', {}, once);

      expect(snapshot(twice)).toEqual(before);
    });
  });

  describe('choosing the project', () => {
    it('sets up the application named by --project and leaves the others alone', async () => {
      const workspace = await createWorkspace(runner, [
        { name: 'first', standalone: true },
        { name: 'second', standalone: true },
      ]);

      const tree = await runner.runSchematic('ng-add', { project: 'second' }, workspace);

      expect(tree.readContent('/projects/second/src/app/app.config.ts')).toContain('provideRealtime(');
      expect(tree.readContent('/projects/first/src/app/app.config.ts')).not.toContain('provideRealtime(');
    });

    it('uses the first application when no project is given', async () => {
      const workspace = await createWorkspace(runner, [
        { name: 'first', standalone: true },
        { name: 'second', standalone: true },
      ]);

      const tree = await runner.runSchematic('ng-add', {}, workspace);

      expect(tree.readContent('/projects/first/src/app/app.config.ts')).toContain('provideRealtime(');
      expect(tree.readContent('/projects/second/src/app/app.config.ts')).not.toContain('provideRealtime(');
    });

    it('refuses a library project', async () => {
      const workspace = await createWorkspace(runner, [{ name: 'shop', standalone: true }]);
      const withLibrary = await runner.runExternalSchematic('@schematics/angular', 'library', { name: 'widgets' }, workspace);

      await expect(runner.runSchematic('ng-add', { project: 'widgets' }, withLibrary)).rejects.toThrow(
        'Project "widgets" is not an application; ng add sets up applications only.',
      );
    });

    it('names the applications when --project names none of them', async () => {
      const workspace = await createWorkspace(runner, [{ name: 'shop', standalone: true }]);

      await expect(runner.runSchematic('ng-add', { project: 'nope' }, workspace)).rejects.toThrow(
        'Project "nope" does not exist in angular.json. Applications: shop.',
      );
    });
  });
});
