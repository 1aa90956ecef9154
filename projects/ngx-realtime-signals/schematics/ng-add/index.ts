import { chain, Rule, SchematicContext, SchematicsException, Tree } from '@angular-devkit/schematics';
import {
  addDependency,
  addRootProvider,
  ExistingBehavior,
  readWorkspace,
  type ProjectDefinition,
  type WorkspaceDefinition,
} from '@schematics/angular/utility';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoComponentFiles } from './demo-component';
import { findFilesCalling } from './find-calls';
import type { NgAddOptions } from './schema';

const PACKAGE_NAME = 'ngx-realtime-signals';
const PROVIDER = 'provideRealtime';

/**
 * `ng add ngx-realtime-signals`: adds the dependency, `provideRealtime({ baseUrl })` to the
 * application's root providers (standalone `app.config.ts` or the root NgModule) and, with
 * `--demo`, an example component with its spec. Running it twice changes nothing the second time.
 *
 * @example
 * ng add ngx-realtime-signals --project=shop --base-url=/realtime --demo
 */
export function ngAdd(options: NgAddOptions): Rule {
  return async (tree: Tree, context: SchematicContext) => {
    const workspace = await readWorkspace(tree);
    const projectName = resolveProjectName(workspace, options.project);
    const project = workspace.projects.get(projectName)!;
    const sourceRoot = project.sourceRoot ?? join(project.root, 'src').replace(/\\/g, '/');

    return chain([
      addPackageDependency(context),
      addProvider(projectName, sourceRoot, options.baseUrl, context),
      options.demo ? addDemo(project, sourceRoot, context) : () => undefined,
    ]);
  };
}

function resolveProjectName(workspace: WorkspaceDefinition, requested: string | undefined): string {
  const applications = [...workspace.projects]
    .filter(([, project]) => project.extensions['projectType'] === 'application')
    .map(([name]) => name);
  if (requested) {
    if (!workspace.projects.has(requested)) {
      throw new SchematicsException(
        `Project "${requested}" does not exist in angular.json. Applications: ${applications.join(', ') || 'none'}.`,
      );
    }
    if (!applications.includes(requested)) {
      throw new SchematicsException(`Project "${requested}" is not an application; ng add sets up applications only.`);
    }
    return requested;
  }
  if (applications.length === 0) {
    throw new SchematicsException('The workspace has no application to add ngx-realtime-signals to.');
  }
  return applications[0];
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

/** A single-quoted TypeScript string literal, as Angular's style guide writes them. */
function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function ownVersion(): string {
  // The compiled file sits at schematics/ng-add/index.js, two levels below the package's package.json.
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}
