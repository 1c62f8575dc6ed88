// The `SidecarSetUpgradable` Pod condition (spec Part B §5.2): its message is a JSON map
// `{<sidecarSet>: upgradable}` over every SidecarSet on the Pod; True with reason
// AllSidecarsetUpgradable when all are, else False with UpdateImmutableField. Computed as
// Kubernetes' UpdatePodCondition does, so an unchanged condition is never written.
import type { Pod, PodCondition } from '../api/core.ts';
import { goJsonString } from '../go-json.ts';
import { sortedGoStrings } from '../go-order.ts';
import { parseJsonObject } from '../json-object.ts';
import { formatMetaTime } from '../meta-time.ts';

export const CONDITION_SIDECARSET_UPGRADABLE = 'SidecarSetUpgradable';

/** The condition to write, or undefined when the Pod already has it (or its message is unreadable, where Kruise fails). */
export function upgradableCondition(pod: Pod, sidecarSetName: string, upgradable: boolean, now: Date): PodCondition | undefined {
  const old = pod.status?.conditions?.find((condition) => condition.type === CONDITION_SIDECARSET_UPGRADABLE);
  const entries = new Map<string, unknown>();
  const oldMessage = typeof old?.message === 'string' ? old.message : '';
  if (oldMessage) {
    const parsed = parseJsonObject(oldMessage);
    if (!parsed) return undefined;
    for (const [name, value] of Object.entries(parsed)) entries.set(name, value);
  }
  entries.set(sidecarSetName, upgradable);
  const all = [...entries.values()].every((value) => value !== false);
  const status = all ? 'True' : 'False';
  const reason = all ? 'AllSidecarsetUpgradable' : 'UpdateImmutableField';
  const message = `{${sortedGoStrings(entries.keys()).map((name) => `${goJsonString(name)}:${JSON.stringify(entries.get(name))}`).join(',')}}`;
  const lastTransitionTime = old && old.status === status ? (old.lastTransitionTime ?? null) : formatMetaTime(now);
  if (old && old.status === status && old.reason === reason && old.message === message) return undefined;
  return { type: CONDITION_SIDECARSET_UPGRADABLE, status, lastProbeTime: old?.lastProbeTime ?? null, lastTransitionTime, reason, message };
}
