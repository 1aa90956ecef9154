import ts from 'typescript';

/** Why a server entry could not be wired: the file's shape is not one this schematic knows. */
export class ServerEntryShapeError extends Error {}

/** What {@link wireServerEntry} found or did. */
export type ServerEntryWiring =
  | { status: 'wired'; text: string; /** false when the file handles SIGTERM itself, so no stop was added */ stopAdded: boolean }
  | { status: 'already-wired' };

/** The identifier server.ts imports the realtime instance as. */
export const REALTIME = 'realtime';

const ROUTE_METHODS = new Set(['use', 'all', 'get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'route']);

/**
 * Wires a realtime instance into an Express server entry such as the `src/server.ts` that
 * `ng new --ssr` generates: imports `realtime` from `realtimeModule`, mounts
 * `app.use(realtime.basePath, realtime.router)` before the first route (so before the Angular
 * handler), passes the `http.Server` that `app.listen(...)` returns to `realtime.attach`, and
 * stops both gracefully on SIGTERM/SIGINT (`realtime.close()`, then `server.close()`).
 *
 * A file that already has all three is left as it is; a file with only some of them, or whose
 * shape is unknown, throws a {@link ServerEntryShapeError} that says what was not found.
 */
export function wireServerEntry(text: string, fileName: string, realtimeModule: string): ServerEntryWiring {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const present = {
    import: importsIdentifier(source, REALTIME) || declaresTopLevel(source, REALTIME),
    mount: text.includes(`${REALTIME}.router`),
    attach: new RegExp(`\\b${REALTIME}\\.attach\\s*\\(`).test(text),
  };
  if (present.import && present.mount && present.attach) return { status: 'already-wired' };
  if (present.import || present.mount || present.attach || usesIdentifier(source, REALTIME)) {
    const missing = [
      present.import ? null : `import { ${REALTIME} } from '${realtimeModule}'`,
      present.mount ? null : `app.use(${REALTIME}.basePath, ${REALTIME}.router) before the Angular handler`,
      present.attach ? null : `${REALTIME}.attach(server) on the server that app.listen(...) returns`,
    ].filter((part): part is string => part !== null);
    throw new ServerEntryShapeError(
      missing.length
        ? `it is partly wired already; it lacks ${missing.join('; ')}`
        : `it already uses the name "${REALTIME}" for something else`,
    );
  }

  const express = expressImportName(source);
  if (!express) throw new ServerEntryShapeError(`it does not import express (import express from 'express')`);
  const app = expressAppDeclaration(source, express);
  if (!app) throw new ServerEntryShapeError(`it has no top-level "const app = ${express}();"`);
  const firstRoute = source.statements.find(
    (statement) => statement.pos >= app.statement.end && isAppCall(statement, app.name, ROUTE_METHODS),
  );
  if (!firstRoute) throw new ServerEntryShapeError(`it registers no handler with ${app.name}.use(...) after creating ${app.name}`);
  const listen = findListenCalls(source, app.name);
  if (listen.length !== 1) {
    throw new ServerEntryShapeError(
      listen.length === 0
        ? `it never calls ${app.name}.listen(...), so there is no server to attach the WebSocket chat to`
        : `it calls ${app.name}.listen(...) ${listen.length} times`,
    );
  }

  // A file that handles SIGTERM already keeps its own shutdown: a second handler would race it.
  const stopAdded = !/\bSIGTERM\b/.test(text);
  const edits: { at: number; insert: string }[] = [];
  const lastImport = [...source.statements].reverse().find(ts.isImportDeclaration);
  edits.push(
    lastImport
      ? { at: lastImport.end, insert: `\nimport { ${REALTIME} } from '${realtimeModule}';` }
      : { at: 0, insert: `import { ${REALTIME} } from '${realtimeModule}';\n\n` },
  );

  const comments = ts.getLeadingCommentRanges(text, firstRoute.pos) ?? [];
  edits.push({
    at: comments.length ? comments[comments.length - 1].pos : firstRoute.getStart(source),
    insert:
      `/**\n` +
      ` * ngx-realtime-signals: the realtime HTTP API (SSE, long polling, health) under realtime.basePath,\n` +
      ` * mounted before the Angular handler (the WebSocket chat is attached where the server listens).\n` +
      ` */\n` +
      `${app.name}.use(${REALTIME}.basePath, ${REALTIME}.router);\n\n`,
  });

  const call = listen[0];
  const parent = call.parent;
  if (ts.isExpressionStatement(parent)) {
    const server = freeName(source, ['server', 'httpServer', 'realtimeHttpServer']);
    const indent = indentOf(text, parent.getStart(source));
    edits.push({ at: parent.getStart(source), insert: `const ${server} = ` });
    edits.push({ at: parent.end, insert: attachAndStop(server, indent, stopAdded) });
  } else if (ts.isVariableDeclaration(parent) && parent.initializer === call && ts.isIdentifier(parent.name)) {
    const statement = parent.parent.parent;
    edits.push({ at: statement.end, insert: attachAndStop(parent.name.text, indentOf(text, statement.getStart(source)), stopAdded) });
  } else {
    throw new ServerEntryShapeError(
      `its ${app.name}.listen(...) is neither a statement of its own nor "const server = ${app.name}.listen(...)"`,
    );
  }

  let wired = text;
  for (const edit of edits.sort((a, b) => b.at - a.at)) {
    wired = wired.slice(0, edit.at) + edit.insert + wired.slice(edit.at);
  }
  return { status: 'wired', text: wired, stopAdded };
}

/**
 * `realtime.attach(server)`, then a graceful stop on SIGTERM/SIGINT (what a process manager or an
 * orchestrator sends before it kills): `realtime.close()` ends the SSE streams with a notice, answers
 * held polls and closes chat sockets with 1001, so clients resume from their cursor elsewhere; then
 * the server stops accepting requests and the process exits once they are done.
 */
function attachAndStop(server: string, indent: string, stop: boolean): string {
  if (!stop) return `\n${indent}${REALTIME}.attach(${server});`;
  return [
    '',
    `${REALTIME}.attach(${server});`,
    `// ngx-realtime-signals: on SIGTERM/SIGINT, end the realtime connections (clients resume from`,
    `// their cursor on another instance), then stop accepting requests and exit.`,
    `for (const signal of ['SIGTERM', 'SIGINT'] as const) {`,
    `  process.once(signal, () => {`,
    `    void ${REALTIME}.close().finally(() => ${server}.close(() => process.exit(0)));`,
    `  });`,
    `}`,
  ].join(`\n${indent}`);
}

function expressImportName(source: ts.SourceFile): string | undefined {
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (statement.moduleSpecifier.text !== 'express') continue;
    const clause = statement.importClause;
    if (clause?.name) return clause.name.text;
    if (clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings)) return clause.namedBindings.name.text;
  }
  return undefined;
}

function expressAppDeclaration(source: ts.SourceFile, express: string) {
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const init = declaration.initializer;
      if (
        init &&
        ts.isCallExpression(init) &&
        ts.isIdentifier(init.expression) &&
        init.expression.text === express &&
        ts.isIdentifier(declaration.name)
      ) {
        return { statement, name: declaration.name.text };
      }
    }
  }
  return undefined;
}

function isAppCall(statement: ts.Statement, app: string, methods: Set<string>): boolean {
  if (!ts.isExpressionStatement(statement)) return false;
  let expression: ts.Expression = statement.expression;
  // app.route('/x').get(...) and app.use(...).use(...) chains start with the innermost call
  while (ts.isCallExpression(expression) && ts.isPropertyAccessExpression(expression.expression)) {
    const target = expression.expression.expression;
    if (ts.isIdentifier(target)) return target.text === app && methods.has(expression.expression.name.text);
    expression = target;
  }
  return false;
}

function findListenCalls(source: ts.SourceFile, app: string): ts.CallExpression[] {
  const found: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'listen' &&
      ts.isIdentifier(node.expression.expression) &&
      node.expression.expression.text === app
    ) {
      found.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function importsIdentifier(source: ts.SourceFile, name: string): boolean {
  return source.statements.some((statement) => {
    const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
    return !!bindings && ts.isNamedImports(bindings) && bindings.elements.some((element) => element.name.text === name);
  });
}

function declaresTopLevel(source: ts.SourceFile, name: string): boolean {
  return source.statements.some(
    (statement) =>
      ts.isVariableStatement(statement) &&
      statement.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name),
  );
}

function usesIdentifier(source: ts.SourceFile, name: string): boolean {
  let used = false;
  const visit = (node: ts.Node): void => {
    if (used) return;
    if (ts.isIdentifier(node) && node.text === name) {
      const isMemberName = ts.isPropertyAccessExpression(node.parent) && node.parent.name === node;
      if (!isMemberName) used = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return used;
}

function freeName(source: ts.SourceFile, candidates: string[]): string {
  const free = candidates.find((name) => !usesIdentifier(source, name));
  if (!free) throw new ServerEntryShapeError(`it already uses the names ${candidates.join(', ')}`);
  return free;
}

function indentOf(text: string, position: number): string {
  const lineStart = text.lastIndexOf('\n', position - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, position))![0];
}
