// The wording of the Events an in-place upgrade records on its SidecarSet (pure, so it is tested).
import type { Pod } from '../api/core.ts';
import type { StalledPod } from './stalled-pods.ts';

export const REASON_NOT_UPGRADABLE = 'NotUpgradablePods';
export const REASON_UPGRADE_PROGRESS = 'UpgradeProgress';
export const REASON_UPGRADE_COMPLETED = 'UpgradeCompleted';
export const REASON_UPGRADE_STALLED = 'UpgradeStalled';
export const REASON_UPGRADE_REFUSED = 'UpgradeRefused';
export const REASON_RESET_SUCCEEDED = 'ResetContainerSucceed';
export const REASON_RESET_FAILED = 'ResetContainerFailed';

const NAMED_PODS = 5;
const podName = (pod: Pod) => `${pod.metadata.namespace}/${pod.metadata.name}`;

function listed(items: string[]): string {
  const sorted = [...items].sort();
  const more = sorted.length > NAMED_PODS ? ` and ${sorted.length - NAMED_PODS} more` : '';
  return sorted.slice(0, NAMED_PODS).join(', ') + more;
}

/** Kruise's message, word for word. */
export const notUpgradableMessage = (count: number) => `SidecarSet in-place update detected ${count} not upgradable pod(s) in this round, will skip them.`;

export function progressMessage(pods: readonly Pod[], updated: number, matched: number, maxUnavailable: number): string {
  return `upgraded ${pods.length} Pod(s) in place (${updated}/${matched} updated, maxUnavailable ${maxUnavailable}): ${listed(pods.map(podName))}`;
}

export function stalledMessage(stalled: readonly StalledPod[], deadlineMs: number): string {
  return `${stalled.length} updated Pod(s) not ready ${Math.round(deadlineMs / 1000)}s after their sidecar upgrade; the rollout waits: ${listed(stalled.map((s) => `${podName(s.pod)} (${s.reason})`))}`;
}

export function refusedMessage(pod: Pod, message: string, retryInMs: number): string {
  return `the update of Pod ${podName(pod)} was refused (${message}); retrying in ${Math.ceil(retryInMs / 1000)}s`;
}
