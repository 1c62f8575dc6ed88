// The write that upgrades one Pod's sidecars in place (spec Part B §7.3 step 5, §7.4; Kruise's
// updatePodSidecarAndHash), as one RFC 6902 JSON Patch guarded by a resourceVersion test: only
// images change in the spec; the `kruise.io/sidecarset-hash` entry is rewritten; the imageIDs the
// containers ran before are recorded; hot-upgrade annotations move; patchPodMetadata is re-applied.
//
// Beyond Kruise: native sidecars (init containers with restartPolicy Always) are upgraded too, since
// the kubelet restarts them on an image change; plain init containers are never touched.
import type { Container, Pod } from '../api/core.ts';
import {
  ANNOTATION_INPLACE_UPDATE_STATE,
  ANNOTATION_SIDECARSET_HASH,
  ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE,
  ANNOTATION_VERSION_ALT_PREFIX,
  ANNOTATION_VERSION_PREFIX,
  ANNOTATION_WORKING_HOTUPGRADE_CONTAINER,
  type SidecarContainer,
  type SidecarSet,
} from '../api/sidecarset.ts';
import { sortedGoStrings } from '../go-order.ts';
import { hotUpgradeContainerNames } from '../injection/hot-upgrade.ts';
import { escapePointerToken, type JsonPatchOperation } from '../json-patch.ts';
import { applyPatchPodMetadata } from '../injection/pod-metadata.ts';
import { isJsonObject } from '../json-object.ts';
import { formatMetaTime } from '../meta-time.ts';
import { formatUpgradeSpecs, formatWorkingContainers, parseUpgradeSpecs, parseWorkingContainers, type SidecarSetUpgradeSpec } from '../pod-annotations.ts';
import { isHotUpgrade, isPodStateConsistent } from '../status/pod-sidecar-state.ts';
import { recordInPlaceUpdate } from './in-place-update-state.ts';
import { ANNOTATION_UPGRADE_STATE, withUpgradeState } from './upgrade-state.ts';

export interface PodUpgrade {
  /** Starts with a test of the resourceVersion read. */
  operations: JsonPatchOperation[];
  /** Pod container names whose image changes. */
  changedContainers: string[];
}

type ContainerList = 'containers' | 'initContainers';

/** Pending changes to one Pod: images by list index, and annotations by key. */
class PodEdit {
  readonly images: { list: ContainerList; index: number; name: string; image: string }[] = [];
  readonly annotations: Record<string, string>;
  readonly pod: Pod;
  constructor(pod: Pod) {
    this.pod = pod;
    this.annotations = { ...(pod.metadata.annotations ?? {}) };
  }

  setImage(list: ContainerList, name: string, image: string): void {
    const index = (this.pod.spec[list] ?? []).findIndex((c: Container) => c.name === name);
    if (index >= 0) this.images.push({ list, index, name, image });
  }

  operations(): JsonPatchOperation[] {
    const operations: JsonPatchOperation[] = [{ op: 'test', path: '/metadata/resourceVersion', value: this.pod.metadata.resourceVersion ?? '' }];
    for (const { list, index, image } of this.images) operations.push({ op: 'replace', path: `/spec/${list}/${index}/image`, value: image });
    const before = this.pod.metadata.annotations;
    if (!isJsonObject(before)) {
      operations.push({ op: 'add', path: '/metadata/annotations', value: this.annotations });
      return operations;
    }
    for (const [key, value] of Object.entries(this.annotations)) {
      if (before[key] !== value) operations.push({ op: 'add', path: `/metadata/annotations/${escapePointerToken(key)}`, value });
    }
    return operations;
  }
}

const containerOf = (pod: Pod, name: string) => pod.spec.containers?.find((c) => c.name === name);
const statusOf = (pod: Pod, name: string) => pod.status?.containerStatuses?.find((s) => s.name === name);

/** Kruise's findContainerToHotUpgrade: the half on the empty image, else the one not ready, else the idle one. */
export function hotUpgradeTarget(sidecar: SidecarContainer, pod: Pod, sidecarSet: SidecarSet): { upgrade: string; other: string } {
  const [first, second] = hotUpgradeContainerNames(sidecar.name);
  const emptyImage = sidecar.upgradeStrategy?.hotUpgradeEmptyImage ?? '';
  if ((containerOf(pod, first)?.image ?? '') === emptyImage) return { upgrade: first, other: second };
  if ((containerOf(pod, second)?.image ?? '') === emptyImage) return { upgrade: second, other: first };
  const ready = (name: string) => statusOf(pod, name)?.ready === true && isPodStateConsistent(pod, sidecarSet, new Set([name]));
  const firstReady = ready(first);
  const secondReady = ready(second);
  if (firstReady && !secondReady) return { upgrade: second, other: first };
  if (!firstReady && secondReady) return { upgrade: first, other: second };
  const working = parseWorkingContainers(pod.metadata.annotations?.[ANNOTATION_WORKING_HOTUPGRADE_CONTAINER]).get(sidecar.name);
  return working === first ? { upgrade: second, other: first } : { upgrade: first, other: second };
}

/** Spec names recorded in `sidecarList`: native-sidecar init containers and containers, sorted. */
export function sidecarList(sidecarSet: SidecarSet): string[] {
  const names = new Set<string>();
  for (const container of sidecarSet.spec.initContainers ?? []) if (container.restartPolicy === 'Always') names.add(container.name);
  for (const container of sidecarSet.spec.containers ?? []) names.add(container.name);
  return sortedGoStrings(names);
}

/** The imageIDs the changed containers report now, before the kubelet restarts them. */
function imageIDsBefore(pod: Pod, names: readonly string[]): Map<string, string> {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  return new Map(names.map((name) => [name, statuses.find((s) => s.name === name)?.imageID ?? '']));
}

/** Whether a hash annotation is still in the legacy `{name: "hash"}` form. */
function isLegacyHashAnnotation(text: string | undefined): boolean {
  if (!text) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return isJsonObject(parsed) && Object.values(parsed).some((value) => typeof value === 'string');
  } catch {
    return false;
  }
}

/** Rewrites a hash annotation's entries in the current format, as UpdatePodSidecarSetHash converts legacy ones. */
function convertLegacy(text: string | undefined, sidecarSetName: string, now: string): Map<string, SidecarSetUpgradeSpec> {
  const converted = new Map<string, SidecarSetUpgradeSpec>();
  for (const [name, spec] of parseUpgradeSpecs(text)) converted.set(name, { ...spec, updateTimestamp: now, sidecarSetName });
  return converted;
}

/**
 * The patch upgrading `pod` to `sidecarSet` (whose annotations carry the current hashes and whose
 * status names the latest revision). `pod` must carry every annotation patchPodMetadata names.
 */
export function podUpgrade(sidecarSet: SidecarSet, pod: Pod, now: Date): PodUpgrade {
  const name = sidecarSet.metadata.name ?? '';
  const hash = sidecarSet.metadata.annotations?.[ANNOTATION_SIDECARSET_HASH] ?? '';
  const time = formatMetaTime(now);
  const edit = new PodEdit(pod);
  const changed: string[] = [];

  for (const sidecar of sidecarSet.spec.containers ?? []) {
    const image = sidecar.image ?? '';
    if (isHotUpgrade(sidecar)) {
      const { upgrade, other } = hotUpgradeTarget(sidecar, pod, sidecarSet);
      if ((containerOf(pod, other)?.image ?? '') === image) continue;
      edit.setImage('containers', upgrade, image);
      changed.push(upgrade);
      const working = parseWorkingContainers(edit.annotations[ANNOTATION_WORKING_HOTUPGRADE_CONTAINER]);
      working.set(sidecar.name, upgrade);
      edit.annotations[ANNOTATION_WORKING_HOTUPGRADE_CONTAINER] = formatWorkingContainers(working);
      const version = sidecarSet.metadata.resourceVersion ?? '';
      edit.annotations[`${ANNOTATION_VERSION_ALT_PREFIX}${upgrade}`] = edit.annotations[`${ANNOTATION_VERSION_PREFIX}${other}`] ?? '';
      edit.annotations[`${ANNOTATION_VERSION_PREFIX}${upgrade}`] = version;
      edit.annotations[`${ANNOTATION_VERSION_ALT_PREFIX}${other}`] = version;
    } else {
      const current = containerOf(pod, sidecar.name);
      if (!current || (current.image ?? '') === image) continue;
      edit.setImage('containers', sidecar.name, image);
      changed.push(sidecar.name);
    }
  }
  for (const sidecar of sidecarSet.spec.initContainers ?? []) {
    if (sidecar.restartPolicy !== 'Always' || isHotUpgrade(sidecar)) continue;
    const current = pod.spec.initContainers?.find((c) => c.name === sidecar.name);
    if (!current || (current.image ?? '') === (sidecar.image ?? '')) continue;
    edit.setImage('initContainers', sidecar.name, sidecar.image ?? '');
    changed.push(sidecar.name);
  }

  const hashText = edit.annotations[ANNOTATION_SIDECARSET_HASH];
  let specs: Map<string, SidecarSetUpgradeSpec>;
  if (isLegacyHashAnnotation(hashText)) {
    specs = convertLegacy(hashText, name, time);
    const withoutImage = edit.annotations[ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE];
    if (isLegacyHashAnnotation(withoutImage)) {
      edit.annotations[ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE] = formatUpgradeSpecs(convertLegacy(withoutImage, name, time));
    }
  } else {
    try {
      specs = parseUpgradeSpecs(hashText);
    } catch {
      specs = new Map(); // unreadable: Kruise starts a fresh map too
    }
  }
  specs.set(name, { updateTimestamp: time, hash, sidecarSetName: name, sidecarList: sidecarList(sidecarSet), controllerRevision: sidecarSet.status?.latestRevision ?? '' });
  edit.annotations[ANNOTATION_SIDECARSET_HASH] = formatUpgradeSpecs(specs);
  edit.annotations[ANNOTATION_INPLACE_UPDATE_STATE] = recordInPlaceUpdate(edit.annotations[ANNOTATION_INPLACE_UPDATE_STATE], name, hash, time, imageIDsBefore(pod, changed));
  applyPatchPodMetadata(edit.annotations, name, sidecarSet.spec.patchPodMetadata ?? []);
  edit.annotations[ANNOTATION_UPGRADE_STATE] = withUpgradeState({ ...pod, metadata: { ...pod.metadata, annotations: edit.annotations } }, name, { state: 'Upgrading', hash, since: time });
  return { operations: edit.operations(), changedContainers: changed };
}

/**
 * The hot-upgrade reset (Kruise's flipPodSidecarContainerDo): every idle half not yet on the empty
 * image goes back to it, its version becomes "0" and so does the working half's versionalt. The hash
 * stays; the imageIDs before are recorded.
 */
export function hotUpgradeReset(sidecarSet: SidecarSet, pod: Pod, now: Date): PodUpgrade {
  const edit = new PodEdit(pod);
  const changed: string[] = [];
  const working = parseWorkingContainers(pod.metadata.annotations?.[ANNOTATION_WORKING_HOTUPGRADE_CONTAINER]);
  for (const sidecar of sidecarSet.spec.containers ?? []) {
    if (!isHotUpgrade(sidecar)) continue;
    const [first, second] = hotUpgradeContainerNames(sidecar.name);
    const workingName = working.get(sidecar.name) === first ? first : second;
    const idle = workingName === first ? second : first;
    const emptyImage = sidecar.upgradeStrategy?.hotUpgradeEmptyImage ?? '';
    if ((containerOf(pod, idle)?.image ?? '') === emptyImage) continue;
    edit.setImage('containers', idle, emptyImage);
    changed.push(idle);
    edit.annotations[`${ANNOTATION_VERSION_PREFIX}${idle}`] = '0';
    edit.annotations[`${ANNOTATION_VERSION_ALT_PREFIX}${workingName}`] = '0';
  }
  const name = sidecarSet.metadata.name ?? '';
  const hash = sidecarSet.metadata.annotations?.[ANNOTATION_SIDECARSET_HASH] ?? '';
  edit.annotations[ANNOTATION_INPLACE_UPDATE_STATE] = recordInPlaceUpdate(edit.annotations[ANNOTATION_INPLACE_UPDATE_STATE], name, hash, formatMetaTime(now), imageIDsBefore(pod, changed));
  return { operations: edit.operations(), changedContainers: changed };
}
