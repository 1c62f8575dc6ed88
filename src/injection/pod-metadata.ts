// patchPodMetadata (docs/behaviour/api.md, docs/behaviour/injection.md step 8): Retain adds a key the Pod lacks, Overwrite sets it,
// MergePatchJson merge-patches the existing value (RFC 7386). Unknown policies are ignored, as in Kruise.
//
// Deliberate difference from Kruise, for idempotence: when the key is missing or empty, MergePatchJson
// stores the patch applied to `{}` (keys sorted, nulls removed) rather than the raw patch text, so a second
// injection leaves the value alone; and a patch that is not a JSON object or array refuses the Pod even
// then (Kruise would only refuse it on the second injection).
import type { SidecarSetPatchPodMetadata } from '../api/sidecarset.ts';
import { InjectionError } from './injection-error.ts';
import { mergePatch } from './json-merge-patch.ts';

/** Applies one SidecarSet's entries, in order, to `annotations` (modified in place). */
export function applyPatchPodMetadata(
  annotations: Record<string, string>,
  sidecarSetName: string,
  patches: readonly SidecarSetPatchPodMetadata[],
): void {
  patches.forEach((patch, index) => {
    for (const [key, value] of Object.entries(patch.annotations ?? {})) {
      switch (patch.patchPolicy || 'Retain') {
        case 'Retain':
          if (!Object.hasOwn(annotations, key)) annotations[key] = value;
          break;
        case 'Overwrite':
          annotations[key] = value;
          break;
        case 'MergePatchJson':
          try {
            const current = Object.hasOwn(annotations, key) ? annotations[key] : '';
            annotations[key] = mergePatch(current || '{}', value);
          } catch (error) {
            throw new InjectionError(
              `SidecarSet ${JSON.stringify(sidecarSetName)}: spec.patchPodMetadata[${index}].annotations[${key}]: MergePatchJson onto the Pod's annotation failed: ${(error as Error).message}`,
              { cause: error },
            );
          }
          break;
      }
    }
  });
}
