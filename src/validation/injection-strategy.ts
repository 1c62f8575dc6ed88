// spec.injectionStrategy.revision (docs/behaviour/validation.md rules 12-14): a pin must name a revision that exists.
// Kruise reports these at the bare path `revision`; kept for compatibility. Rule 14 (the policy value)
// is enforced by the schema's enum, which rejects a bad policy before these rules run.
import type { ControllerRevision } from '../api/core.ts';
import type { SidecarSet } from '../api/sidecarset.ts';
import { type FieldError, invalid } from '../field-error.ts';
import { findPinnedRevision, RevisionNotFoundError } from '../revisions/revision-lookup.ts';

const REVISION_PATH = 'revision';

export function validateInjectionStrategy(sidecarSet: SidecarSet, revisions: readonly ControllerRevision[]): FieldError[] {
  const pin = sidecarSet.spec.injectionStrategy?.revision;
  if (!pin) return [];
  if (pin.revisionName === undefined && pin.customVersion === undefined) {
    return [invalid(REVISION_PATH, pin, 'revisionName and customVersion cannot be empty simultaneously')];
  }
  try {
    if (findPinnedRevision(sidecarSet, revisions)) return [];
    return [invalid(REVISION_PATH, null, 'Cannot find specific ControllerRevision, err: <nil>')];
  } catch (error) {
    if (!(error instanceof RevisionNotFoundError)) throw error;
    return [invalid(REVISION_PATH, null, `Cannot find specific ControllerRevision, err: ${error.message}`)];
  }
}
