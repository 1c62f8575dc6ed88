// What one reconcile of a SidecarSet does to its Pods (spec Part B §7.2 steps 7-11): nothing under
// NotUpdate or paused; else first put every finished hot upgrade's idle half back on the empty
// image (and nothing else that round); else, unless every Pod is updated, choose the Pods to upgrade.
import type { Pod } from '../api/core.ts';
import type { SidecarSet } from '../api/sidecarset.ts';
import { hotUpgradeContainers } from '../pod-annotations.ts';
import { isHotUpgrade, isPodSidecarUpdated, isPodStateConsistent, isRunningAndReady, sidecarContainerNamesInPod } from '../status/pod-sidecar-state.ts';
import { choosePodsToUpgrade, type UpgradeChoice } from './choose-pods.ts';

export type UpgradeRound =
  | { action: 'none'; reason: 'NotUpdate' | 'Paused' | 'Complete' }
  | { action: 'reset'; pods: Pod[] }
  | ({ action: 'upgrade' } & UpgradeChoice);

export function planUpgradeRound(sidecarSet: SidecarSet, matched: readonly Pod[], inFlight: (pod: Pod) => boolean = () => false): UpgradeRound {
  const strategy = sidecarSet.spec.updateStrategy ?? {};
  if (strategy.type === 'NotUpdate') return { action: 'none', reason: 'NotUpdate' };
  if (strategy.paused) return { action: 'none', reason: 'Paused' };
  if ((sidecarSet.spec.containers ?? []).some(isHotUpgrade)) {
    const pods = matched.filter((pod) => !inFlight(pod) && isHotUpgradeFinished(sidecarSet, pod));
    if (pods.length > 0) return { action: 'reset', pods };
  }
  if (matched.every((pod) => isPodSidecarUpdated(pod, sidecarSet))) return { action: 'none', reason: 'Complete' };
  return { action: 'upgrade', ...choosePodsToUpgrade(sidecarSet, matched, inFlight) };
}

/** The idle halves of the hot-upgrade pairs: `<name>-1`/`-2` not named working. */
function idleHalves(sidecarSet: SidecarSet, pod: Pod): Map<string, string> {
  const idle = new Map<string, string>();
  for (const sidecar of sidecarSet.spec.containers ?? []) {
    if (isHotUpgrade(sidecar)) idle.set(hotUpgradeContainers(sidecar.name, pod).idle, sidecar.upgradeStrategy?.hotUpgradeEmptyImage ?? '');
  }
  return idle;
}

/**
 * Kruise's reset condition: some idle half is not on the empty image, every other sidecar runs its
 * spec, and the Pod is Running and Ready (or every container but the idle halves is Ready).
 */
export function isHotUpgradeFinished(sidecarSet: SidecarSet, pod: Pod): boolean {
  const idle = idleHalves(sidecarSet, pod);
  const images = new Map((pod.spec.containers ?? []).map((c) => [c.name, c.image ?? '']));
  if (![...idle].some(([name, emptyImage]) => (images.get(name) ?? '') !== emptyImage)) return false;
  const serving = sidecarContainerNamesInPod(sidecarSet);
  for (const name of idle.keys()) serving.delete(name);
  if (!isPodStateConsistent(pod, sidecarSet, serving)) return false;
  if (isRunningAndReady(pod)) return true;
  return (pod.status?.containerStatuses ?? []).every((status) => idle.has(status.name) || status.ready === true);
}
