// Which Pods one round of a rolling sidecar upgrade writes (spec Part B §7.3 steps 1-4, Kruise's
// GetNextUpgradePods): the not-yet-updated Pods the update selector picks, whose non-image fields
// still equal the SidecarSet's, sorted, minus the partition, within the maxUnavailable budget.
//
// Beyond Kruise: Pods written but not yet seen written in the cache ("in flight") are never chosen
// again and count as updated-but-unavailable, so a stale cache cannot overspend the budget; Kruise
// instead waits for every expectation before choosing anything.
import type { Pod } from '../api/core.ts';
import { ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE, type SidecarSet } from '../api/sidecarset.ts';
import { compileSelector } from '../label-selector.ts';
import { readUpgradeSpec } from '../pod-annotations.ts';
import { isPodReady, isPodSidecarUpdated, isPodStateConsistent, sidecarContainerNamesInPod } from '../status/pod-sidecar-state.ts';
import { sortUpgradeCandidates } from './pod-order.ts';
import { maxUnavailableCount, partitionCount } from './rollout-counts.ts';

export interface UpgradeChoice {
  /** Pods to write this round, in upgrade order. */
  upgrade: Pod[];
  /** Pods whose non-image fields differ: never upgraded in place. */
  notUpgradable: Pod[];
  /** The budget and how much of it is spent, for progress reporting. */
  maxUnavailable: number;
  unavailable: number;
}

/** Whether only images changed since the Pod's injection (its without-image hash equals the SidecarSet's). */
export function canUpgradeInPlace(pod: Pod, sidecarSet: SidecarSet): boolean {
  const current = sidecarSet.metadata.annotations?.[ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE] ?? '';
  return readUpgradeSpec(pod, sidecarSet.metadata.name ?? '', ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE).hash === current;
}

/** A sidecar is Ready while not running its spec image: the kubelet has yet to restart it (IsSidecarSetUpgradable's `consistent`). */
export function isSidecarRestartPending(pod: Pod, sidecarSet: SidecarSet): boolean {
  const ready = new Map((pod.status?.containerStatuses ?? []).map((status) => [status.name, status.ready === true]));
  for (const name of sidecarContainerNamesInPod(sidecarSet)) {
    if (ready.get(name) && !isPodStateConsistent(pod, sidecarSet, new Set([name]))) return true;
  }
  return false;
}

/** Updated to the current hash but not yet consistent and ready: what maxUnavailable caps. */
export function isUpdatedButUnavailable(pod: Pod, sidecarSet: SidecarSet): boolean {
  return isPodSidecarUpdated(pod, sidecarSet) && !(isPodStateConsistent(pod, sidecarSet) && isPodReady(pod, sidecarSet));
}

export function choosePodsToUpgrade(sidecarSet: SidecarSet, matched: readonly Pod[], inFlight: (pod: Pod) => boolean = () => false): UpgradeChoice {
  const strategy = sidecarSet.spec.updateStrategy ?? {};
  let selected: (pod: Pod) => boolean = () => true;
  if (strategy.selector) {
    try {
      const predicate = compileSelector(strategy.selector);
      selected = (pod) => predicate(pod.metadata.labels);
    } catch {
      selected = () => false; // Kruise: a selector that does not compile selects nothing
    }
  }
  const waiting: Pod[] = [];
  const notUpgradable: Pod[] = [];
  for (const pod of matched) {
    if (inFlight(pod) || isPodSidecarUpdated(pod, sidecarSet) || !selected(pod)) continue;
    if (!canUpgradeInPlace(pod, sidecarSet)) notUpgradable.push(pod);
    else if (!isSidecarRestartPending(pod, sidecarSet)) waiting.push(pod);
  }
  const ordered = sortUpgradeCandidates(strategy, matched, waiting);

  const total = matched.length;
  const keep = partitionCount(strategy.partition, total);
  const movable = ordered.length - keep > 0 ? ordered.slice(0, ordered.length - keep) : [];
  const maxUnavailable = maxUnavailableCount(strategy.maxUnavailable, total);
  let unavailable = 0;
  for (const pod of matched) if (inFlight(pod) || isUpdatedButUnavailable(pod, sidecarSet)) unavailable++;
  const spent = unavailable;
  const upgrade: Pod[] = [];
  for (const pod of movable) {
    // A Pod that is not ready costs nothing more by being upgraded.
    if (!isPodReady(pod, sidecarSet)) {
      upgrade.push(pod);
      continue;
    }
    if (unavailable >= maxUnavailable) break;
    unavailable++;
    upgrade.push(pod);
  }
  return { upgrade, notUpgradable, maxUnavailable, unavailable: spent };
}
