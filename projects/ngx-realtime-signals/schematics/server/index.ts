import { chain, Rule, SchematicContext, SchematicsException, Tree } from '@angular-devkit/schematics';
import { addDependency, ExistingBehavior, readWorkspace, type ProjectDefinition } from '@schematics/angular/utility';
import { posix } from 'node:path';
import { ownVersion } from '../shared/own-version';
import { resolveProjectName } from '../shared/project';
import { quote } from '../shared/quote';
import { REALTIME, ServerEntryShapeError, wireServerEntry } from './server-entry';
import type { ServerOptions } from './schema';

/** The npm package that serves the realtime API from an Express server. */
export const SERVER_PACKAGE = 'ngx-realtime-signals-server';

const BASE_PATH = /^(\/[A-Za-z0-9._~-]+)+$/;

/**
 * `ng generate ngx-realtime-signals:server`: serves the realtime API from the application's own
 * SSR server. Adds `ngx-realtime-signals-server` to the dependencies, creates `src/realtime.ts`
 * (`export const realtime = createRealtime({ basePath })`, importable by any server code that
 * publishes), and wires it into the Express `src/server.ts` of `ng new --ssr`: the router before
 * the Angular handler, the WebSocket chat attached to the listening server. Running it twice
 * changes nothing the second time.
 *
 * @example
 * ng generate ngx-realtime-signals:server --project=shop --base-path=/api
 */
export function server(options: ServerOptions): Rule {
  return async (tree: Tree, context: SchematicContext) => {
    const workspace = await readWorkspace(tree);
    const projectName = resolveProjectName(workspace, options.project);
    return realtimeServer(projectName, workspace.projects.get(projectName)!, options.basePath, context);
  };
}

/** The rule behind {@link server}, for `ng add --server` too. */
export function realtimeServer(
  projectName: string,
  project: ProjectDefinition,
  basePath: string,
  context: SchematicContext,
): Rule {
  if (!BASE_PATH.test(basePath)) {
    throw new SchematicsException(
      `ngx-realtime-signals: the base path must be a URL path such as /api or /realtime/v1 (segments of letters, digits, ".", "_", "~", "-"), not ${JSON.stringify(basePath)}.`,
    );
  }
  const entry = serverEntry(projectName, project);
  const realtimeFile = posix.join(posix.dirname(entry), `${REALTIME}.ts`);
  return chain([wireEntry(entry, realtimeFile, basePath, context), addServerDependency(context)]);
}

function serverEntry(projectName: string, project: ProjectDefinition): string {
  const ssr = project.targets.get('build')?.options?.['ssr'];
  const entry = ssr && typeof ssr === 'object' && !Array.isArray(ssr) ? (ssr as { entry?: unknown }).entry : undefined;
  if (typeof entry !== 'string' || !entry) {
    throw new SchematicsException(
      `ngx-realtime-signals: project "${projectName}" has no server entry (angular.json: projects.${projectName}.architect.build.options.ssr.entry). ` +
        'Add server-side rendering with an Express server first (ng add @angular/ssr), then run this again.',
    );
  }
  return entry.replace(/\\/g, '/').replace(/^\.?\//, '');
}

function wireEntry(entry: string, realtimeFile: string, basePath: string, context: SchematicContext): Rule {
  return (tree: Tree) => {
    if (!tree.exists(entry)) {
      throw new SchematicsException(`ngx-realtime-signals: angular.json names ${entry} as the server entry, but there is no such file.`);
    }
    const realtimeModule = `./${posix.basename(realtimeFile, '.ts')}`;
    let wiring;
    try {
      wiring = wireServerEntry(tree.readText(entry), entry, realtimeModule);
    } catch (error) {
      if (!(error instanceof ServerEntryShapeError)) throw error;
      throw new SchematicsException(
        `ngx-realtime-signals: cannot wire ${SERVER_PACKAGE} into ${entry}: ${error.message}.\n` +
          handWiring(entry, realtimeFile, realtimeModule, basePath),
      );
    }
    if (wiring.status === 'already-wired') {
      context.logger.info(`ngx-realtime-signals: ${entry} already serves ${REALTIME}; left unchanged.`);
      return;
    }
    if (tree.exists(realtimeFile)) {
      if (!new RegExp(`export\\s+const\\s+${REALTIME}\\b`).test(tree.readText(realtimeFile))) {
        throw new SchematicsException(
          `ngx-realtime-signals: ${realtimeFile} exists but does not export const ${REALTIME}; ` +
            `rename it or export the instance of createRealtime(...) from it, then run this again.`,
        );
      }
      context.logger.info(`ngx-realtime-signals: ${realtimeFile} already exists; left unchanged.`);
    } else {
      tree.create(realtimeFile, realtimeSource(basePath));
      context.logger.info(`ngx-realtime-signals: created ${realtimeFile} (createRealtime({ basePath: ${quote(basePath)} })).`);
    }
    tree.overwrite(entry, wiring.text);
    context.logger.info(
      `ngx-realtime-signals: ${entry} now mounts ${REALTIME}.router before the Angular handler and attaches the WebSocket chat to the listening server.`,
    );
    if (wiring.stopAdded) {
      context.logger.info(`ngx-realtime-signals: on SIGTERM/SIGINT it now awaits ${REALTIME}.close(), then closes the server.`);
    } else {
      context.logger.warn(
        `ngx-realtime-signals: ${entry} handles SIGTERM itself; await ${REALTIME}.close() there before closing the server, ` +
          `or open SSE streams and held polls keep it from closing.`,
      );
    }
  };
}

function addServerDependency(context: SchematicContext): Rule {
  return (tree: Tree) => {
    const manifest = JSON.parse(tree.readText('/package.json')) as Record<string, Record<string, string> | undefined>;
    const existing = manifest['dependencies']?.[SERVER_PACKAGE] ?? manifest['devDependencies']?.[SERVER_PACKAGE];
    if (existing) {
      context.logger.info(`ngx-realtime-signals: package.json already depends on ${SERVER_PACKAGE} (${existing}).`);
      return undefined;
    }
    const specifier = `^${ownVersion()}`;
    context.logger.info(`ngx-realtime-signals: added ${SERVER_PACKAGE}@${specifier} to package.json dependencies.`);
    return addDependency(SERVER_PACKAGE, specifier, { existing: ExistingBehavior.Skip });
  };
}

function realtimeSource(basePath: string): string {
  return `import { createRealtime } from '${SERVER_PACKAGE}';

/**
 * The realtime API of this application (${SERVER_PACKAGE}), served by server.ts:
 * SSE, long polling and health under \`basePath\`, the WebSocket chat at \`\${basePath}/chat\`.
 * Server code publishes to the browsers with
 * \`await realtime.publish('user:42', 'order.shipped', { orderId: 7 })\`.
 */
export const ${REALTIME} = createRealtime({ basePath: ${quote(basePath)} });
`;
}

function handWiring(entry: string, realtimeFile: string, realtimeModule: string, basePath: string): string {
  return [
    'Wire it by hand:',
    `  1. ${realtimeFile}:`,
    `       import { createRealtime } from '${SERVER_PACKAGE}';`,
    `       export const ${REALTIME} = createRealtime({ basePath: ${quote(basePath)} });`,
    `  2. ${entry}: import { ${REALTIME} } from '${realtimeModule}';`,
    `     app.use(${REALTIME}.basePath, ${REALTIME}.router);   // before the handler that renders Angular`,
    `     const server = app.listen(port, ...);`,
    `     ${REALTIME}.attach(server);                        // WebSocket chat at ${basePath}/chat`,
    `  3. npm install ${SERVER_PACKAGE}`,
  ].join('\n');
}
