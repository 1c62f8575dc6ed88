// The two shapes a SidecarSet can be injected in (docs/behaviour/injection.md step 6, docs/behaviour/revisions.md): its latest spec, or the
// spec restored from a pinned ControllerRevision, each with the hashes and revision name recorded on Pods.
import type { ControllerRevision } from '../api/core.ts';
import { ANNOTATION_SIDECARSET_HASH, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE, type SidecarSet, type SidecarSetSpec } from '../api/sidecarset.ts';
import { sidecarSetHash, sidecarSetHashWithoutImage } from '../hash.ts';
import { isJsonObject } from '../json-object.ts';
import { InjectionError } from './injection-error.ts';

export interface SidecarSetVersion {
  spec: SidecarSetSpec;
  hash: string;
  hashWithoutImage: string;
  /** Recorded as `controllerRevision` in the Pod's hash annotation; "" when unknown. */
  controllerRevision: string;
}

/** The live object: hashes from its annotations, revision from `status.latestRevision`. */
export function latestVersion(sidecarSet: SidecarSet): SidecarSetVersion {
  const annotations = sidecarSet.metadata.annotations ?? {};
  return {
    spec: sidecarSet.spec ?? {},
    hash: annotations[ANNOTATION_SIDECARSET_HASH] ?? '',
    hashWithoutImage: annotations[ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE] ?? '',
    controllerRevision: sidecarSet.status?.latestRevision ?? '',
  };
}

/** Fields a revision's data restores; its `$patch: replace` drops every other spec field. */
const RESTORED_FIELDS = ['volumes', 'containers', 'initContainers', 'imagePullSecrets', 'patchPodMetadata'] as const;

/**
 * The SidecarSet as a ControllerRevision recorded it. Hashes come from the revision's annotations and are
 * recomputed from the restored spec when absent, as Kruise does.
 */
export function historicalVersion(revision: ControllerRevision): SidecarSetVersion {
  const name = revision.metadata.name ?? '';
  const recorded = isJsonObject(revision.data) ? revision.data.spec : undefined;
  if (!isJsonObject(recorded)) throw new InjectionError(`ControllerRevision ${JSON.stringify(name)}: data.spec is not an object`);
  const spec: SidecarSetSpec = {};
  for (const field of RESTORED_FIELDS) {
    if (recorded[field] !== null && recorded[field] !== undefined) Object.assign(spec, { [field]: recorded[field] });
  }
  const annotations = revision.metadata.annotations ?? {};
  return {
    spec,
    hash: annotations[ANNOTATION_SIDECARSET_HASH] || sidecarSetHash(spec),
    hashWithoutImage: annotations[ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE] || sidecarSetHashWithoutImage(spec),
    controllerRevision: name,
  };
}
