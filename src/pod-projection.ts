// The Pod as cached: only what status computation, drift detection, the in-place upgrade (its
// ordering, completion and stall reasons) and the webhooks read.
// A full Pod (managedFields, env, probes, volumes...) weighs tens of KB; this keeps a few hundred
// bytes, so a cache of every Pod in a large cluster stays affordable on every replica.
import type { Container, ContainerState, ContainerStatus, ObjectMeta, Pod, PodCondition } from './api/core.ts';
import { createStringPool } from './string-pool.ts';

const KEPT_ANNOTATION_PREFIXES = ['kruise.io/sidecarset-', 'version.sidecarset.kruise.io/', 'versionalt.sidecarset.kruise.io/', 'sidecarset.kruise.io/'];
/** Ready (with its transition time, for the upgrade order) and the condition the upgrade writes. */
const KEPT_CONDITIONS = new Set(['Ready', 'SidecarSetUpgradable']);
/** Strings the Pods of a workload repeat (docs/decisions/pod-string-pool.md). */
const { intern } = createStringPool(16_384);

export function projectPod(raw: any): Pod {
  const meta = raw?.metadata ?? {};
  const metadata: ObjectMeta = { name: meta.name, namespace: intern(meta.namespace), uid: meta.uid, resourceVersion: meta.resourceVersion };
  if (meta.generation !== undefined) metadata.generation = meta.generation;
  if (meta.creationTimestamp) metadata.creationTimestamp = intern(String(meta.creationTimestamp));
  if (meta.deletionTimestamp) metadata.deletionTimestamp = String(meta.deletionTimestamp);
  if (meta.labels) metadata.labels = pooledValues(meta.labels);
  const annotations = keptAnnotations(meta.annotations);
  if (annotations) metadata.annotations = annotations;

  const spec = raw?.spec ?? {};
  const pod: Pod = { metadata, spec: { containers: (spec.containers ?? []).map(projectContainer) } };
  if (spec.initContainers?.length) pod.spec.initContainers = spec.initContainers.map(projectContainer);
  if (spec.nodeName) pod.spec.nodeName = spec.nodeName;

  const status = raw?.status;
  if (status) {
    pod.status = {};
    if (status.phase) pod.status.phase = status.phase;
    const conditions = ((status.conditions as PodCondition[] | undefined) ?? []).filter((condition) => KEPT_CONDITIONS.has(condition.type)).map(projectCondition);
    if (conditions.length) pod.status.conditions = conditions;
    if (status.containerStatuses?.length) pod.status.containerStatuses = status.containerStatuses.map(projectContainerStatus);
    if (status.initContainerStatuses?.length) pod.status.initContainerStatuses = status.initContainerStatuses.map(projectContainerStatus);
  }
  return pod;
}

function keptAnnotations(all: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!all) return undefined;
  let kept: Record<string, string> | undefined;
  for (const key in all) {
    if (KEPT_ANNOTATION_PREFIXES.some((prefix) => key.startsWith(prefix))) (kept ??= {})[key] = intern(all[key]);
  }
  return kept;
}

/** The parsed object itself, its values swapped for pooled copies. */
function pooledValues(map: Record<string, string>): Record<string, string> {
  for (const key in map) map[key] = intern(map[key]);
  return map;
}

function projectContainer(container: Container): Container {
  const out: Container = { name: intern(container.name) };
  if (container.image !== undefined) out.image = intern(container.image);
  if (container.restartPolicy !== undefined) out.restartPolicy = container.restartPolicy;
  return out;
}

function projectCondition(condition: PodCondition): PodCondition {
  const out: PodCondition = { type: condition.type, status: condition.status };
  for (const field of ['lastTransitionTime', 'reason', 'message'] as const) {
    const value = condition[field];
    if (value != null) out[field] = typeof value === 'string' ? intern(value) : value;
  }
  if (condition.type === 'SidecarSetUpgradable' && condition.lastProbeTime !== undefined) out.lastProbeTime = condition.lastProbeTime;
  return out;
}

function projectContainerStatus(status: ContainerStatus): ContainerStatus {
  const out: ContainerStatus = { name: intern(status.name), ready: status.ready === true };
  if (status.image !== undefined) out.image = intern(status.image);
  if (status.imageID !== undefined) out.imageID = intern(status.imageID);
  if (status.restartCount) out.restartCount = status.restartCount;
  const state: ContainerState = {};
  if (status.state?.waiting?.reason) state.waiting = { reason: status.state.waiting.reason };
  if (status.state?.terminated?.reason) state.terminated = { reason: status.state.terminated.reason };
  if (state.waiting || state.terminated) out.state = state;
  return out;
}
