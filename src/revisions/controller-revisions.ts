// ControllerRevision history of a SidecarSet, the pure part (docs/behaviour/revisions.md): what a
// revision of the current spec looks like, how Kubernetes names it, which existing one it equals,
// and which old ones may go. The I/O lives in revision-history.ts.
import type { ControllerRevision, Pod } from '../api/core.ts';
import { goCanonicalJson } from '../go-json.ts';
import { goMarshalSidecarContainer } from '../go-struct-json.ts';
import { safeEncodeString } from '../hash.ts';
import {
  API_VERSION,
  KIND,
  LABEL_CONTROLLER_REVISION_HASH,
  LABEL_CUSTOM_VERSION,
  LABEL_SIDECARSET_NAME,
  type SidecarSet,
} from '../api/sidecarset.ts';
import { readUpgradeSpec } from '../pod-annotations.ts';

export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

// ---------------------------------------------------------------------------------------------
// Revision data: Kruise marshals the typed SidecarSet, decodes it into map[string]interface{},
// copies five spec fields and marshals that map again, so every object level comes out with
// sorted keys and Go's string escaping. Containers go through the Go struct layout first (which
// fields exist, omitempty, canonical quantities), like Kruise's typed encoding.

/** A list field as Go's `omitempty` slice leaves it in the map: missing when nil or empty. */
const listOrNull = <T>(list: T[] | undefined, encode: (item: T) => unknown): unknown[] | null =>
  Array.isArray(list) && list.length > 0 ? list.map(encode) : null;

/** The `data` Kruise stores: `{"spec":{"$patch":"replace",...}}`, as the exact JSON text it hashes. */
export function revisionDataJson(sidecarSet: SidecarSet): string {
  const spec = sidecarSet.spec ?? {};
  const containerMap = (container: unknown): unknown => JSON.parse(goMarshalSidecarContainer(container));
  return goCanonicalJson({
    spec: {
      $patch: 'replace',
      volumes: listOrNull(spec.volumes, (volume) => volume),
      containers: listOrNull(spec.containers, containerMap),
      initContainers: listOrNull(spec.initContainers, containerMap),
      imagePullSecrets: listOrNull(spec.imagePullSecrets, (secret) => (secret?.name ? { name: secret.name } : {})),
      patchPodMetadata: listOrNull(spec.patchPodMetadata, (patch) => ({
        ...(patch?.annotations && Object.keys(patch.annotations).length > 0 ? { annotations: patch.annotations } : {}),
        ...(patch?.patchPolicy ? { patchPolicy: patch.patchPolicy } : {}),
      })),
    },
  });
}

/** The data of a stored revision in the same canonical text, for comparisons. */
export function storedDataJson(revision: ControllerRevision): string {
  return goCanonicalJson(revision.data);
}

// ---------------------------------------------------------------------------------------------
// Naming (k8s.io/kubernetes pkg/controller/history): FNV-1 (not 1a) 32-bit over the data bytes,
// then the collision count's decimal digits when a count is given (Kruise always gives one), and
// the decimal sum run through SafeEncodeString.

export function hashControllerRevision(dataJson: string, collisionCount?: number): string {
  let hash = 0x811c9dc5;
  const feed = (bytes: Uint8Array): void => {
    for (const byte of bytes) hash = (Math.imul(hash, 0x01000193) ^ byte) >>> 0;
  };
  feed(Buffer.from(dataJson, 'utf8'));
  if (collisionCount !== undefined) feed(Buffer.from(String(collisionCount), 'utf8'));
  return safeEncodeString(String(hash));
}

/** `<prefix>-<hash>`, the prefix cut to 223 characters so the name stays within 253. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** The revision Kruise's NewRevision builds for the current spec, named for `collisionCount`. */
export function buildRevision(sidecarSet: SidecarSet, namespace: string, revisionNumber: number, collisionCount: number): ControllerRevision {
  const dataJson = revisionDataJson(sidecarSet);
  const hash = hashControllerRevision(dataJson, collisionCount);
  const { name = '', uid = '', labels = {}, annotations = {} } = sidecarSet.metadata;
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(name, hash),
      namespace,
      labels: { ...labels, [LABEL_CONTROLLER_REVISION_HASH]: hash, [LABEL_SIDECARSET_NAME]: name },
      annotations: { ...annotations }, // the two hash annotations included
      ownerReferences: [{ apiVersion: API_VERSION, kind: KIND, name, uid, controller: true, blockOwnerDeletion: true }],
    },
    data: JSON.parse(dataJson),
    revision: revisionNumber,
  };
}

/** The name a revision gets under another collision count (CreateControllerRevision's retry loop). */
export function renameForCollision(revision: ControllerRevision, sidecarSetName: string, collisionCount: number): ControllerRevision {
  const name = controllerRevisionName(sidecarSetName, hashControllerRevision(storedDataJson(revision), collisionCount));
  return { ...revision, metadata: { ...revision.metadata, name } };
}

// ---------------------------------------------------------------------------------------------
// History decisions

/** This SidecarSet's revisions, sorted by `.revision` (stable, like history.SortControllerRevisions). */
export function revisionsOf(sidecarSetName: string, revisions: Iterable<ControllerRevision>): ControllerRevision[] {
  return [...revisions].filter((r) => r.metadata.labels?.[LABEL_SIDECARSET_NAME] === sidecarSetName).sort((a, b) => a.revision - b.revision);
}

export function nextRevisionNumber(sorted: readonly ControllerRevision[]): number {
  return sorted.length === 0 ? 1 : sorted[sorted.length - 1].revision + 1;
}

export type RevisionPlan =
  | { action: 'reuse'; revision: ControllerRevision }
  | { action: 'renumber'; revision: ControllerRevision; revisionNumber: number }
  | { action: 'create'; revision: ControllerRevision };

/**
 * registerLatestRevision's choice: an equal revision that is already the last one is reused; an
 * equal older one is renumbered to the next number (a rollback); otherwise the candidate is created.
 */
export function planLatestRevision(sorted: readonly ControllerRevision[], candidate: ControllerRevision): RevisionPlan {
  const candidateData = storedDataJson(candidate);
  const equal = sorted.filter((revision) => storedDataJson(revision) === candidateData);
  const lastEqual = equal[equal.length - 1];
  if (lastEqual && lastEqual === sorted[sorted.length - 1]) return { action: 'reuse', revision: lastEqual };
  if (lastEqual) return { action: 'renumber', revision: lastEqual, revisionNumber: candidate.revision };
  return { action: 'create', revision: candidate };
}

/** The history after a plan was carried out: renumbered or created revisions move to the end. */
export function historyAfter(sorted: readonly ControllerRevision[], plan: RevisionPlan, latest: ControllerRevision): ControllerRevision[] {
  if (plan.action === 'reuse') return [...sorted];
  const rest = sorted.filter((revision) => revision.metadata.name !== latest.metadata.name);
  return [...rest, latest];
}

/** The custom-version label the latest revision should carry, when it does not yet (v1alpha1: a SidecarSet label). */
export function missingCustomVersion(sidecarSet: SidecarSet, latest: ControllerRevision): string | undefined {
  const customVersion = sidecarSet.metadata.labels?.[LABEL_CUSTOM_VERSION];
  return customVersion && latest.metadata.labels?.[LABEL_CUSTOM_VERSION] !== customVersion ? customVersion : undefined;
}

/** Revisions still in use: recorded by matched Pods, pinned by name, or the newest with the pinned customVersion. */
export function activeRevisionNames(sidecarSet: SidecarSet, matchedPods: readonly Pod[], sorted: readonly ControllerRevision[]): Set<string> {
  const name = sidecarSet.metadata.name ?? '';
  const active = new Set<string>();
  for (const pod of matchedPods) {
    const recorded = readUpgradeSpec(pod, name).controllerRevision;
    if (recorded) active.add(recorded);
  }
  const pin = sidecarSet.spec.injectionStrategy?.revision;
  if (pin?.revisionName != null) active.add(pin.revisionName);
  if (pin?.customVersion != null) {
    const pinned = sorted.filter((revision) => revision.metadata.labels?.[LABEL_CUSTOM_VERSION] === pin.customVersion);
    if (pinned.length > 0) active.add(pinned[pinned.length - 1].metadata.name ?? '');
  }
  return active;
}

export interface Truncation {
  remove: ControllerRevision[];
  /** How many more would have to go to respect the limit, all of them in use (Kruise then logs an error). */
  shortBy: number;
  limit: number;
}

/** truncateHistory: oldest inactive revisions first, never the latest, down to max(1, revisionHistoryLimit). */
export function planTruncation(sidecarSet: SidecarSet, matchedPods: readonly Pod[], history: readonly ControllerRevision[]): Truncation {
  const configured = sidecarSet.spec.revisionHistoryLimit;
  const limit = configured === undefined || configured === null ? DEFAULT_REVISION_HISTORY_LIMIT : Math.max(1, configured);
  let excess = history.length - limit;
  if (excess <= 0) return { remove: [], shortBy: 0, limit };
  const active = activeRevisionNames(sidecarSet, matchedPods, history);
  const remove: ControllerRevision[] = [];
  for (let i = 0; i < history.length - 1 && excess > 0; i++) {
    if (active.has(history[i].metadata.name ?? '')) continue;
    remove.push(history[i]);
    excess--;
  }
  return { remove, shortBy: excess, limit };
}
