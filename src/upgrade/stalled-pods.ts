// A stalled rollout (beyond Kruise): Pods written to the current hash that are still not consistent
// and ready past a deadline (10 minutes, or the SidecarSet's
// `sidecarset.kruise.io/upgrade-stall-deadline-seconds`, like a Deployment's progressDeadlineSeconds),
// each with the reason the runtime gives for its sidecars.
import type { Pod } from '../api/core.ts';
import { ANNOTATION_SIDECARSET_HASH, type SidecarSet } from '../api/sidecarset.ts';
import { parseMetaTime } from '../meta-time.ts';
import { parseUpgradeSpecs } from '../pod-annotations.ts';
import { sidecarContainerNamesInPod } from '../status/pod-sidecar-state.ts';
import { isUpdatedButUnavailable } from './choose-pods.ts';

export const ANNOTATION_UPGRADE_STALL_DEADLINE = 'sidecarset.kruise.io/upgrade-stall-deadline-seconds';
export const DEFAULT_UPGRADE_STALL_DEADLINE_MS = 10 * 60_000;

export interface StalledPod {
  pod: Pod;
  /** e.g. `ImagePullBackOff`, `CrashLoopBackOff`, `NotReady`, `SidecarNotRestarted`. */
  reason: string;
  /** When the upgrade was written (ms since the epoch). */
  since: number;
}

/** The deadline in milliseconds; an annotation that is not a whole number of seconds falls back to the default. */
export function stallDeadline(sidecarSet: SidecarSet): number {
  const text = sidecarSet.metadata.annotations?.[ANNOTATION_UPGRADE_STALL_DEADLINE];
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) * 1000 : DEFAULT_UPGRADE_STALL_DEADLINE_MS;
}

/** When this SidecarSet's current hash was written to the Pod (the hash entry's updateTimestamp). */
export function upgradeWrittenAt(pod: Pod, sidecarSet: SidecarSet): number | undefined {
  try {
    const entry = parseUpgradeSpecs(pod.metadata.annotations?.[ANNOTATION_SIDECARSET_HASH]).get(sidecarSet.metadata.name ?? '');
    return entry?.updateTimestamp ? parseMetaTime(entry.updateTimestamp)?.getTime() : undefined;
  } catch {
    return undefined;
  }
}

/** Why an updated Pod is not available yet, from its sidecars' container states. */
export function unavailableReason(pod: Pod, sidecarSet: SidecarSet): string {
  const sidecars = sidecarContainerNamesInPod(sidecarSet);
  for (const native of sidecarSet.spec.initContainers ?? []) if (native.restartPolicy === 'Always') sidecars.add(native.name);
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  for (const status of statuses) {
    if (!sidecars.has(status.name)) continue;
    const waiting = status.state?.waiting?.reason;
    if (waiting) return waiting;
  }
  for (const status of statuses) {
    const terminated = status.state?.terminated?.reason;
    if (sidecars.has(status.name) && terminated) return terminated;
  }
  if (statuses.some((status) => sidecars.has(status.name) && status.ready !== true)) return 'SidecarNotReady';
  return pod.status?.phase === 'Running' ? 'PodNotReady' : `Pod${pod.status?.phase ?? 'Unknown'}`;
}

export function findStalledPods(sidecarSet: SidecarSet, matched: readonly Pod[], now: number): StalledPod[] {
  const deadline = stallDeadline(sidecarSet);
  const stalled: StalledPod[] = [];
  for (const pod of matched) {
    if (!isUpdatedButUnavailable(pod, sidecarSet)) continue;
    const since = upgradeWrittenAt(pod, sidecarSet);
    if (since !== undefined && now - since >= deadline) stalled.push({ pod, reason: unavailableReason(pod, sidecarSet), since });
  }
  return stalled;
}
