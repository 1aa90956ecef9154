import { DirEntry, Tree } from '@angular-devkit/schematics';

/**
 * Paths of the TypeScript sources under `root` (specs excluded) that call `functionName(`.
 * It is how ng-add stays idempotent: `addRootProvider` itself would add a second provider.
 */
export function findFilesCalling(tree: Tree, root: string, functionName: string): string[] {
  const call = new RegExp(`\\b${functionName}\\s*\\(`);
  const found: string[] = [];
  const visit = (dir: DirEntry): void => {
    for (const file of dir.subfiles) {
      if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
      const path = `${dir.path}/${file}`.replace(/^\/+/, '');
      if (call.test(tree.readText(path))) found.push(path);
    }
    for (const sub of dir.subdirs) {
      if (sub !== 'node_modules') visit(dir.dir(sub));
    }
  };
  visit(tree.getDir(root));
  return found.sort();
}
