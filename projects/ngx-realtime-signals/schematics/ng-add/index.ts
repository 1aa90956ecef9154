import { chain, Rule, SchematicContext, SchematicsException, Tree } from '@angular-devkit/schematics';
import {
  addDependency,
  addRootProvider,
  ExistingBehavior,
  readWorkspace,
  type ProjectDefinition,
} from '@schematics/angular/utility';
import { join } from 'node:path';
import { realtimeServer } from '../server';
import { ownVersion } from '../shared/own-version';
import { resolveProjectName } from '../shared/project';
import { quote } from '../shared/quote';
import { demoComponentFiles } from './demo-component';
import { findFilesCalling } from './find-calls';
import type { NgAddOptions } from './schema';

const PACKAGE_NAME = 'ngx-realtime-signals';
const PROVIDER = 'provideRealtime';

/**
 * `ng add ngx-realtime-signals`: adds the dependency, `provideRealtime({ baseUrl })` to the
 * application's root providers (standalone `app.config.ts` or the root NgModule), with
 * `--demo` an example component with its spec and, with `--server`, the realtime API served by
 * the application's own SSR server at the `--base-url` path (see the `server` schematic).
 * Running it twice changes nothing the second time.
 *
 * @example
 * ng add ngx-realtime-signals --project=shop --base-url=/realtime --demo --server
 */
export function ngAdd(options: NgAddOptions): Rule {
  return async (tree: Tree, context: SchematicContext) => {
    const workspace = await readWorkspace(tree);
    const projectName = resolveProjectName(workspace, options.project);
    const project = workspace.projects.get(projectName)!;
    const sourceRoot = project.sourceRoot ?? join(project.root, 'src').replace(/\\/g, '/');
    if (options.server && !options.baseUrl.startsWith('/')) {
      throw new SchematicsException(
        `ngx-realtime-signals: --server serves the realtime API from this application's own server, so --base-url must be a path such as /api, not ${JSON.stringify(options.baseUrl)}.`,
      );
    }

    return chain([
      addPackageDependency(context),
      options.server ? realtimeServer(projectName, project, options.baseUrl, context) : () => undefined,
      addProvider(projectName, sourceRoot, options.baseUrl, context),
      options.demo ? addDemo(project, sourceRoot, context) : () => undefined,
    ]);
  };
}

function addPackageDependency(context: SchematicContext): Rule {
  return (tree: Tree) => {
    const manifest = JSON.parse(tree.readText('/package.json')) as Record<string, Record<string, string> | undefined>;
    const existing = manifest['dependencies']?.[PACKAGE_NAME] ?? manifest['devDependencies']?.[PACKAGE_NAME];
    if (existing) {
      context.logger.info(`ngx-realtime-signals: package.json already depends on ${PACKAGE_NAME} (${existing}).`);
      return undefined;
    }
    const specifier = `^${ownVersion()}`;
    context.logger.info(`ngx-realtime-signals: added ${PACKAGE_NAME}@${specifier} to package.json dependencies.`);
    return addDependency(PACKAGE_NAME, specifier, { existing: ExistingBehavior.Skip });
  };
}

function addProvider(projectName: string, sourceRoot: string, baseUrl: string, context: SchematicContext): Rule {
  return (tree: Tree) => {
    const already = findFilesCalling(tree, sourceRoot, PROVIDER);
    if (already.length > 0) {
      context.logger.info(`ngx-realtime-signals: ${already.join(', ')} already calls ${PROVIDER}(...); left unchanged.`);
      return undefined;
    }
    return chain([
      addRootProvider(projectName, ({ code, external }) =>
        code`${external(PROVIDER, PACKAGE_NAME)}({ baseUrl: ${quote(baseUrl)} })`,
      ),
      (after: Tree) => {
        const changed = findFilesCalling(after, sourceRoot, PROVIDER);
        context.logger.info(
          `ngx-realtime-signals: added ${PROVIDER}({ baseUrl: ${quote(baseUrl)} }) to ${changed.join(', ')}.`,
        );
      },
    ]);
  };
}

function addDemo(project: ProjectDefinition, sourceRoot: string, context: SchematicContext): Rule {
  return (tree: Tree) => {
    const prefix = project.prefix ?? 'app';
    for (const file of demoComponentFiles(`${sourceRoot}/app/realtime-demo`, prefix)) {
      if (tree.exists(file.path)) {
        context.logger.info(`ngx-realtime-signals: ${file.path} already exists; left unchanged.`);
        continue;
      }
      tree.create(file.path, file.content);
      context.logger.info(`ngx-realtime-signals: created ${file.path}.`);
    }
    context.logger.info(
      `ngx-realtime-signals: show the demo by importing RealtimeDemo and adding <${prefix}-realtime-demo /> to a template.`,
    );
  };
}
