// Where a SidecarSet's in-place rollout stands, for `sidecarset rollout status` (like `kubectl rollout
// status`): complete once every Pod the strategy will move runs the current sidecars, consistent and
// ready; stuck when Pods cannot be upgraded in place or are stalled past the deadline.
import type { Pod } from '../api/core.ts';
import type { SidecarSet } from '../api/sidecarset.ts';
import { compileSelector } from '../label-selector.ts';
import { isPodReady, isPodSidecarUpdated, isPodStateConsistent } from '../status/pod-sidecar-state.ts';
import { canUpgradeInPlace } from './choose-pods.ts';
import { partitionCount } from './rollout-counts.ts';
import { findStalledPods, type StalledPod } from './stalled-pods.ts';

export interface RolloutProgress {
  matched: number;
  /** Pods the strategy moves to the current sidecars: all, minus the partition, or those the update selector picks. */
  target: number;
  updated: number;
  updatedReady: number;
  /** Pods the strategy would move whose non-image fields differ: they keep the old sidecars until recreated. */
  notUpgradable: number;
  stalled: StalledPod[];
  complete: boolean;
  /** Why nothing moves although the rollout is not complete (paused, NotUpdate, status not caught up). */
  waitingFor?: string;
}

export function rolloutProgress(sidecarSet: SidecarSet, matched: readonly Pod[], now: number): RolloutProgress {
  const strategy = sidecarSet.spec.updateStrategy ?? {};
  let moving: Pod[] = [...matched];
  if (strategy.selector) {
    let selects: (pod: Pod) => boolean = () => false;
    try {
      const predicate = compileSelector(strategy.selector);
      selects = (pod) => predicate(pod.metadata.labels);
    } catch {
      // a selector that does not compile moves nothing, as in the controller
    }
    moving = moving.filter(selects);
  }
  const target = strategy.type === 'NotUpdate' ? 0 : Math.max(0, moving.length - (strategy.selector ? 0 : partitionCount(strategy.partition, matched.length)));
  const updated = matched.filter((pod) => isPodSidecarUpdated(pod, sidecarSet));
  const updatedReady = updated.filter((pod) => isPodStateConsistent(pod, sidecarSet) && isPodReady(pod, sidecarSet)).length;
  const notUpgradable = strategy.type === 'NotUpdate' ? 0 : moving.filter((pod) => !isPodSidecarUpdated(pod, sidecarSet) && !canUpgradeInPlace(pod, sidecarSet)).length;
  const stalled = findStalledPods(sidecarSet, matched, now);
  const observed = (sidecarSet.status?.observedGeneration ?? 0) >= (sidecarSet.metadata.generation ?? 0);
  const complete = observed && updatedReady >= target && updated.length >= target;
  let waitingFor: string | undefined;
  if (!observed) waitingFor = 'the controller to observe the latest spec';
  else if (!complete && strategy.type === 'NotUpdate') waitingFor = 'nothing: updateStrategy.type is NotUpdate';
  else if (!complete && strategy.paused) waitingFor = 'updateStrategy.paused to be unset';
  return { matched: matched.length, target, updated: updated.length, updatedReady, notUpgradable, stalled, complete, waitingFor };
}
