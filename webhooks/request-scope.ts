// Which requests an endpoint acts on. Everything else is admitted untouched: a subresource or an
// operation the endpoint ignores silently, a resource it does not serve with a warning, since
// that can only come from a misregistered webhook configuration.
import type { AdmissionRequest, Operation } from './admission-review.ts';
import { allow, type AdmissionOutcome } from './admission-outcome.ts';

export interface Scope {
  path: string;
  group: string;
  resource: string;
  operations: readonly Operation[];
}

/** An outcome when the request is outside the endpoint's scope, undefined when the endpoint must judge it. */
export function outOfScope(request: AdmissionRequest, scope: Scope): AdmissionOutcome | undefined {
  const { group, resource } = request.resource;
  if (group !== scope.group || resource !== scope.resource) {
    const got = group ? `${resource}.${group}` : resource;
    return allow({ warnings: [`sidecarset webhook ${scope.path} does not handle ${got}: admitted unchanged`] });
  }
  if (request.subResource) return allow();
  if (!scope.operations.includes(request.operation)) return allow();
  return undefined;
}
