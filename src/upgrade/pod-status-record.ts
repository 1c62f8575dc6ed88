// The second (and last) write an upgraded Pod gets: through the status subresource, a strategic
// merge patch carrying the `SidecarSetUpgradable` condition when it changes and our upgrade-state
// annotation (the pods/status endpoint accepts metadata changes). Kruise patches the condition right
// after the image; we fold it into this write, so a Pod costs at most two writes per upgrade.
import type { Pod } from '../api/core.ts';
import { ANNOTATION_SIDECARSET_HASH, type SidecarSet } from '../api/sidecarset.ts';
import { formatMetaTime } from '../meta-time.ts';
import { upgradableCondition } from './upgradable-condition.ts';
import { ANNOTATION_UPGRADE_STATE, hasUpgradeState, withUpgradeState, type UpgradeStateName } from './upgrade-state.ts';

export interface PodStatusRecord {
  metadata?: { annotations: Record<string, string> };
  status?: { conditions: unknown[] };
}

/** The patch recording `state` for this SidecarSet's current hash, or undefined when the Pod already shows it. */
export function podStatusRecord(sidecarSet: SidecarSet, pod: Pod, state: UpgradeStateName, now: Date, reason?: string): PodStatusRecord | undefined {
  const name = sidecarSet.metadata.name ?? '';
  const hash = sidecarSet.metadata.annotations?.[ANNOTATION_SIDECARSET_HASH] ?? '';
  const record: PodStatusRecord = {};
  if (!hasUpgradeState(pod, name, state, hash, reason)) {
    const entry = { state, hash, since: formatMetaTime(now), ...(reason ? { reason } : {}) };
    record.metadata = { annotations: { [ANNOTATION_UPGRADE_STATE]: withUpgradeState(pod, name, entry) } };
  }
  const condition = upgradableCondition(pod, name, state !== 'NotUpgradable', now);
  if (condition) record.status = { conditions: [condition] };
  return record.metadata || record.status ? record : undefined;
}
