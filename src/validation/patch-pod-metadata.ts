// spec.patchPodMetadata entries (docs/behaviour/validation.md rule 25): annotations present and well-formed, a patch
// policy set, and no annotation key patched twice by this SidecarSet.
import type { SidecarSetSpec } from '../api/sidecarset.ts';
import { type FieldError, type FieldPath, notSupported, required } from '../field-error.ts';
import { validateAnnotations } from './object-meta.ts';

const PATCH_POLICIES = ['Retain', 'Overwrite', 'MergePatchJson'];

export function validatePatchPodMetadata(spec: SidecarSetSpec, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const patchedKeys = new Set<string>();
  (spec.patchPodMetadata ?? []).forEach((patch, index) => {
    const annotations = patch.annotations ?? {};
    if (Object.keys(annotations).length === 0) errors.push(required(path.text, 'no annotations defined for SidecarSet'));
    else errors.push(...validateAnnotations(annotations, path.index(index).child('annotations')));
    if (!patch.patchPolicy) errors.push(required(path.text, 'no patchPolicy defined for patchPodMetadata'));
    // Kruise accepts any policy and silently skips an unknown one when patching; we refuse it (docs/behaviour/scope.md).
    else if (!PATCH_POLICIES.includes(patch.patchPolicy)) errors.push(notSupported(path.index(index).child('patchPolicy').text, patch.patchPolicy, PATCH_POLICIES));
    for (const key of Object.keys(annotations)) {
      if (patchedKeys.has(key)) errors.push(required(path.text, `patch annotation[${key}] already exist`));
      patchedKeys.add(key);
    }
  });
  return errors;
}
