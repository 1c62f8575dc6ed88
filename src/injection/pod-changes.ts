// What an injection changes in a Pod, recorded as changes rather than as a new Pod, so that the injected
// Pod and the JSON Patch the webhook returns are both derived from the same record.
import type { Container, LocalObjectReference, Pod, Volume } from '../api/core.ts';
import { applyListChange, type ListChange } from './container-placement.ts';
import type { PullSecretChange } from './pod-lists.ts';

export interface PodChanges {
  /** Annotations added or changed, with their new values (injection never removes one). */
  annotations?: Readonly<Record<string, string>>;
  initContainers?: ListChange<Container>;
  containers?: ListChange<Container>;
  /** Volumes appended. */
  volumes?: readonly Volume[];
  imagePullSecrets?: PullSecretChange;
}

export function hasChanges(changes: PodChanges): boolean {
  return Object.values(changes).some((change) => change !== undefined);
}

/**
 * The Pod after the changes: a new object that shares every unchanged part with `pod` (and injected
 * parts with the SidecarSets), so treat both as read-only.
 */
export function applyPodChanges(pod: Pod, changes: PodChanges): Pod {
  if (!hasChanges(changes)) return pod;
  const result: Pod = { ...pod };
  if (changes.annotations) result.metadata = { ...pod.metadata, annotations: { ...pod.metadata?.annotations, ...changes.annotations } };
  if (!changes.initContainers && !changes.containers && !changes.volumes && !changes.imagePullSecrets) return result;
  const spec = { ...pod.spec };
  if (changes.initContainers) spec.initContainers = applyListChange(pod.spec.initContainers, changes.initContainers);
  if (changes.containers) spec.containers = applyListChange(pod.spec.containers, changes.containers);
  if (changes.volumes) spec.volumes = [...(pod.spec.volumes ?? []), ...changes.volumes];
  if (changes.imagePullSecrets) spec.imagePullSecrets = withoutIndexes(pod.spec.imagePullSecrets, changes.imagePullSecrets.removed).concat(changes.imagePullSecrets.appended);
  result.spec = spec;
  return result;
}

function withoutIndexes(secrets: readonly LocalObjectReference[] | null | undefined, removed: readonly number[]): LocalObjectReference[] {
  const dropped = new Set(removed);
  return (secrets ?? []).filter((_, index) => !dropped.has(index));
}
