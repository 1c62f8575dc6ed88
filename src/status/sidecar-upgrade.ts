// Whether an existing Pod runs a SidecarSet's current version and, if not, whether Kruise's rule lets
// it be upgraded in place: only when the hash without images is unchanged, i.e. nothing but images
// differ (docs/behaviour/controller.md). When it is not, the fields that differ come from the ControllerRevision the
// Pod was injected from.
import { isDeepStrictEqual } from 'node:util';
import type { ControllerRevision, Pod } from '../api/core.ts';
import { ANNOTATION_SIDECARSET_HASH, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE, type SidecarContainer, type SidecarSet, type SidecarSetSpec } from '../api/sidecarset.ts';
import { parseUpgradeSpecs } from '../pod-annotations.ts';
import { historicalVersion, latestVersion } from '../injection/sidecarset-version.ts';

export type SidecarUpgrade =
  /** The Pod records no version of this SidecarSet: it was created before the SidecarSet, or not injected. */
  | { state: 'not-recorded' }
  | { state: 'current'; hash: string }
  | { state: 'in-place'; recordedHash: string; hash: string }
  /** `fields` empty when the revision the Pod was injected from is not at hand to tell. */
  | { state: 'recreate'; recordedHash: string; hash: string; revision: string; fields: string[] };

export function sidecarUpgrade(pod: Pod, sidecarSet: SidecarSet, revisions: readonly ControllerRevision[]): SidecarUpgrade {
  const annotations = pod.metadata?.annotations ?? {};
  const name = sidecarSet.metadata.name ?? '';
  const recorded = parseUpgradeSpecs(annotations[ANNOTATION_SIDECARSET_HASH]).get(name);
  if (!recorded) return { state: 'not-recorded' };
  const current = latestVersion(sidecarSet);
  if (recorded.hash === current.hash) return { state: 'current', hash: current.hash };
  const recordedWithoutImage = parseUpgradeSpecs(annotations[ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE]).get(name)?.hash;
  if (recordedWithoutImage === current.hashWithoutImage) return { state: 'in-place', recordedHash: recorded.hash, hash: current.hash };
  const revision =
    revisions.find((candidate) => recorded.controllerRevision !== '' && candidate.metadata.name === recorded.controllerRevision) ??
    revisions.find((candidate) => candidate.metadata.annotations?.[ANNOTATION_SIDECARSET_HASH] === recorded.hash);
  const fields = revision ? changedFields(historicalVersion(revision).spec, current.spec) : [];
  return { state: 'recreate', recordedHash: recorded.hash, hash: current.hash, revision: revision?.metadata.name ?? recorded.controllerRevision, fields };
}

/** The hashed fields other than images that differ, as `spec.containers[<name>].<field>`. */
function changedFields(before: SidecarSetSpec, after: SidecarSetSpec): string[] {
  const fields: string[] = [];
  const compare = (list: 'containers' | 'initContainers', keep: (container: SidecarContainer) => boolean): void => {
    const old = new Map((before[list] ?? []).filter(keep).map((container) => [container.name, container]));
    const now = new Map((after[list] ?? []).filter(keep).map((container) => [container.name, container]));
    for (const name of new Set([...old.keys(), ...now.keys()])) {
      const a = old.get(name);
      const b = now.get(name);
      if (!a || !b) {
        fields.push(`spec.${list}[${name}] ${a ? 'removed' : 'added'}`);
        continue;
      }
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (key !== 'image' && !isDeepStrictEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) fields.push(`spec.${list}[${name}].${key}`);
      }
    }
  };
  compare('containers', () => true);
  compare('initContainers', (container) => container.restartPolicy === 'Always'); // only native sidecars are hashed
  return fields;
}
