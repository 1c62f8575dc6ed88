// Finds the ControllerRevision a SidecarSet's `injectionStrategy.revision` pins (docs/behaviour/revisions.md).
import type { ControllerRevision } from '../api/core.ts';
import { LABEL_CUSTOM_VERSION, LABEL_SIDECARSET_NAME, type SidecarSet } from '../api/sidecarset.ts';

export class RevisionNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RevisionNotFoundError';
  }
}

/**
 * The pinned revision, from the revisions of the operator's namespace. `revisionName` wins over
 * `customVersion` and, as in Kruise, is not checked to belong to this SidecarSet. Returns undefined when
 * nothing is pinned; throws RevisionNotFoundError when the pin names nothing that exists.
 */
export function findPinnedRevision(sidecarSet: SidecarSet, revisions: readonly ControllerRevision[]): ControllerRevision | undefined {
  const pin = sidecarSet.spec.injectionStrategy?.revision;
  if (!pin) return undefined;
  if (pin.revisionName) {
    const byName = revisions.find((revision) => revision.metadata.name === pin.revisionName);
    if (!byName) throw new RevisionNotFoundError(`controllerrevisions.apps "${pin.revisionName}" not found`);
    return byName;
  }
  if (pin.customVersion) {
    const name = sidecarSet.metadata.name;
    let newest: ControllerRevision | undefined;
    for (const revision of revisions) {
      const labels = revision.metadata.labels ?? {};
      if (labels[LABEL_SIDECARSET_NAME] !== name || labels[LABEL_CUSTOM_VERSION] !== pin.customVersion) continue;
      if (!newest || revision.revision > newest.revision) newest = revision;
    }
    if (!newest) {
      throw new RevisionNotFoundError(`no ControllerRevision of SidecarSet ${name} has label ${LABEL_CUSTOM_VERSION}=${pin.customVersion}`);
    }
    return newest;
  }
  return undefined;
}
