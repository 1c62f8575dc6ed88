// Kruise's judgements about one Pod with respect to one SidecarSet (docs/behaviour/status.md): is it laid
// out as the SidecarSet expects, does it run the current hash, has an in-place update finished,
// is it ready. Pure functions over the (projected) Pod.
import type { Container, Pod } from '../api/core.ts';
import { ANNOTATION_INPLACE_UPDATE_STATE, ANNOTATION_SIDECARSET_HASH, type SidecarContainer, type SidecarSet } from '../api/sidecarset.ts';
import { hotUpgradeContainerNames } from '../injection/hot-upgrade.ts';
import { parseMetaTime } from '../meta-time.ts';
import { imageIdReference, isDigestImage, isSameImage } from './image-reference.ts';
import { hasWorkingContainer, hotUpgradeContainers, readUpgradeSpec } from '../pod-annotations.ts';

export function isHotUpgrade(container: SidecarContainer): boolean {
  return container.upgradeStrategy?.upgradeType === 'HotUpgrade';
}

/**
 * Names the SidecarSet's sidecars take in a Pod: `<name>`, or `<name>-1` and `<name>-2` for hot upgrade,
 * plus its native sidecars (init containers with restartPolicy Always), which are upgraded in place too.
 */
export function sidecarContainerNamesInPod(sidecarSet: SidecarSet): Set<string> {
  const names = new Set<string>();
  for (const container of sidecarSet.spec.initContainers ?? []) if (container.restartPolicy === 'Always') names.add(container.name);
  for (const container of sidecarSet.spec.containers ?? []) {
    if (isHotUpgrade(container)) for (const name of hotUpgradeContainerNames(container.name)) names.add(name);
    else names.add(container.name);
  }
  return names;
}

/** Kruise util.GetContainer: init containers first, then containers. */
function findContainer(pod: Pod, name: string): Container | undefined {
  return pod.spec.initContainers?.find((c) => c.name === name) ?? pod.spec.containers?.find((c) => c.name === name);
}

/** IsPodConsistentWithSidecarSet: every sidecar of `spec.containers` is present in the layout the SidecarSet implies. */
export function isPodConsistentWithSidecarSet(pod: Pod, sidecarSet: SidecarSet): boolean {
  for (const container of sidecarSet.spec.containers ?? []) {
    if (isHotUpgrade(container)) {
      if (!hasWorkingContainer(pod, container.name)) return false;
      if (!hotUpgradeContainerNames(container.name).every((name) => findContainer(pod, name))) return false;
    } else if (!findContainer(pod, container.name)) {
      return false;
    }
  }
  return true;
}

/** IsPodSidecarUpdated: the Pod's recorded hash for this SidecarSet equals the SidecarSet's (both may be empty). */
export function isPodSidecarUpdated(pod: Pod, sidecarSet: SidecarSet): boolean {
  const current = sidecarSet.metadata.annotations?.[ANNOTATION_SIDECARSET_HASH] ?? '';
  return readUpgradeSpec(pod, sidecarSet.metadata.name ?? '').hash === current;
}

/**
 * IsPodStateConsistent: the sidecar containers (all of them by default) run what their spec says.
 * Digest images are checked against the status imageID; otherwise an in-place update counts as done
 * once the imageID differs from the one recorded before it, or the runtime reports the spec image.
 * Native sidecars (init containers) are judged like containers (beyond Kruise, which never updates them).
 */
export function isPodStateConsistent(pod: Pod, sidecarSet: SidecarSet, containers: Set<string> = sidecarContainerNamesInPod(sidecarSet)): boolean {
  const statuses = pod.status?.containerStatuses ?? [];
  if ((pod.spec.containers ?? []).length !== statuses.length) return false;
  const initStatuses = pod.status?.initContainerStatuses ?? [];
  let allDigest = true;
  for (const [specs, list] of [[pod.spec.containers ?? [], statuses], [pod.spec.initContainers ?? [], initStatuses]] as const) {
    for (const container of specs) {
      if (!containers.has(container.name)) continue;
      if (!isDigestImage(container.image)) {
        allDigest = false;
        continue;
      }
      const status = list.find((s) => s.name === container.name);
      if (!status || !isSameImage(container.image ?? '', imageIdReference(status.imageID))) return false;
    }
  }
  if (allDigest) return true;
  return isSidecarContainerUpdateCompleted(pod, [sidecarSet.metadata.name ?? ''], containers);
}

/** IsSidecarContainerUpdateCompleted over `kruise.io/sidecarset-inplace-update-state`. */
export function isSidecarContainerUpdateCompleted(pod: Pod, sidecarSetNames: string[], containers: Set<string>): boolean {
  const text = pod.metadata.annotations?.[ANNOTATION_INPLACE_UPDATE_STATE];
  if (text === undefined) return true; // injected, never updated in place
  const states = parseInPlaceUpdateStates(text);
  if (!states) return false;
  const lastImageIds = new Map<string, string>();
  for (const name of sidecarSetNames) {
    for (const [container, imageID] of states.get(name) ?? []) lastImageIds.set(container, imageID);
  }
  const specImages = new Map([...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].map((c) => [c.name, c.image ?? '']));
  for (const status of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) {
    if (!containers.has(status.name)) continue;
    const before = lastImageIds.get(status.name);
    // Same imageID as before the update while the runtime reports another image than the spec's: not restarted yet.
    if (before !== undefined && before === (status.imageID ?? '') && !isSameImage(specImages.get(status.name) ?? '', status.image ?? '')) return false;
  }
  return true;
}

/** SidecarSet name -> (container -> imageID recorded before its in-place update); undefined where Go's decoder fails. */
function parseInPlaceUpdateStates(text: string): Map<string, Map<string, string>> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null) return new Map();
  if (!isPlainObject(value)) return undefined;
  const out = new Map<string, Map<string, string>>();
  for (const [name, state] of Object.entries(value)) {
    if (state === null) continue;
    if (!isPlainObject(state)) return undefined;
    const { revision, updateTimestamp, lastContainerStatuses } = state;
    if (!(revision === undefined || revision === null || typeof revision === 'string')) return undefined;
    if (!(updateTimestamp === undefined || updateTimestamp === null || (typeof updateTimestamp === 'string' && parseMetaTime(updateTimestamp)))) return undefined;
    const imageIds = new Map<string, string>();
    if (lastContainerStatuses !== undefined && lastContainerStatuses !== null) {
      if (!isPlainObject(lastContainerStatuses)) return undefined;
      for (const [container, status] of Object.entries(lastContainerStatuses)) {
        if (status !== null && !isPlainObject(status)) return undefined;
        const imageID = status?.imageID;
        if (!(imageID === undefined || imageID === null || typeof imageID === 'string')) return undefined;
        imageIds.set(container, imageID ?? '');
      }
    }
    out.set(name, imageIds);
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * IsPodReady (Kruise's, for a SidecarSet): the idle half of every hot-upgrade pair is back on its
 * empty image (unless none is configured), and the Pod is Running with Ready=True and not being deleted.
 */
export function isPodReady(pod: Pod, sidecarSet: SidecarSet): boolean {
  const emptyImages = new Map<string, string>();
  for (const container of sidecarSet.spec.containers ?? []) {
    if (isHotUpgrade(container)) emptyImages.set(hotUpgradeContainers(container.name, pod).idle, container.upgradeStrategy?.hotUpgradeEmptyImage ?? '');
  }
  for (const container of pod.spec.containers ?? []) {
    const emptyImage = emptyImages.get(container.name);
    if (emptyImage && (container.image ?? '') !== emptyImage) return false;
  }
  return isRunningAndReady(pod);
}

export function isRunningAndReady(pod: Pod): boolean {
  if (pod.status?.phase !== 'Running' || pod.metadata.deletionTimestamp) return false;
  return pod.status.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';
}
