import { SchematicsException } from '@angular-devkit/schematics';
import type { WorkspaceDefinition } from '@schematics/angular/utility';

/**
 * The application a schematic sets up: the one `--project` names, else the first application
 * in angular.json. A library, an unknown name or a workspace without applications is an error.
 */
export function resolveProjectName(workspace: WorkspaceDefinition, requested: string | undefined): string {
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
