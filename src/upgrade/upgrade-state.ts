// Our per-Pod record of where a sidecar upgrade stands (kruise#1312 asked for one), under our own
// prefix: `sidecarset.kruise.io/upgrade-state` = `{<sidecarSet>: {state, hash, since[, reason]}}`.
// Kruise's own annotations and status fields are left exactly as Kruise writes them.
import type { Pod } from '../api/core.ts';
import { isJsonObject, parseJsonObject } from '../json-object.ts';

export const ANNOTATION_UPGRADE_STATE = 'sidecarset.kruise.io/upgrade-state';

export type UpgradeStateName = 'Upgrading' | 'Completed' | 'Stalled' | 'NotUpgradable';

export interface UpgradeState {
  state: UpgradeStateName;
  /** The SidecarSet hash the state is about. */
  hash: string;
  /** RFC 3339: when this state began. */
  since: string;
  /** Why a rollout is stalled or a Pod not upgradable. */
  reason?: string;
}

function decode(text: string | undefined): Record<string, UpgradeState> {
  // Someone else's garbage: start over rather than fail the upgrade.
  return ((text && parseJsonObject(text)) || {}) as Record<string, UpgradeState>;
}

export function readUpgradeState(pod: Pod, sidecarSetName: string): UpgradeState | undefined {
  const entry = decode(pod.metadata.annotations?.[ANNOTATION_UPGRADE_STATE])[sidecarSetName];
  return isJsonObject(entry) && typeof entry.state === 'string' ? entry : undefined;
}

/** The annotation value with this SidecarSet's entry set (other SidecarSets' entries kept). */
export function withUpgradeState(pod: Pod, sidecarSetName: string, state: UpgradeState): string {
  const all = decode(pod.metadata.annotations?.[ANNOTATION_UPGRADE_STATE]);
  const out: Record<string, UpgradeState> = {};
  for (const name of Object.keys({ ...all, [sidecarSetName]: state }).sort()) out[name] = name === sidecarSetName ? state : all[name];
  return JSON.stringify(out);
}

/** Whether the Pod already records this state for this hash (then nothing needs writing). */
export function hasUpgradeState(pod: Pod, sidecarSetName: string, state: UpgradeStateName, hash: string, reason?: string): boolean {
  const current = readUpgradeState(pod, sidecarSetName);
  return current?.state === state && current.hash === hash && (reason === undefined || current.reason === reason);
}
