// The Pod as cached: only what status computation, drift detection and the webhooks read.
// A full Pod (managedFields, env, probes, volumes...) weighs tens of KB; this keeps a few hundred
// bytes, so a cache of every Pod in a large cluster stays affordable on every replica.
import type { Container, ContainerStatus, ObjectMeta, Pod, PodCondition } from './api/core.ts';

const KEPT_ANNOTATION_PREFIXES = ['kruise.io/sidecarset-', 'version.sidecarset.kruise.io/', 'versionalt.sidecarset.kruise.io/'];

export function projectPod(raw: any): Pod {
  const meta = raw?.metadata ?? {};
  const metadata: ObjectMeta = { name: meta.name, namespace: meta.namespace, uid: meta.uid, resourceVersion: meta.resourceVersion };
  if (meta.generation !== undefined) metadata.generation = meta.generation;
  if (meta.deletionTimestamp) metadata.deletionTimestamp = String(meta.deletionTimestamp);
  if (meta.labels) metadata.labels = meta.labels;
  const annotations = keptAnnotations(meta.annotations);
  if (annotations) metadata.annotations = annotations;

  const spec = raw?.spec ?? {};
  const pod: Pod = { metadata, spec: { containers: (spec.containers ?? []).map(projectContainer) } };
  if (spec.initContainers?.length) pod.spec.initContainers = spec.initContainers.map(projectContainer);

  const status = raw?.status;
  if (status) {
    pod.status = {};
    if (status.phase) pod.status.phase = status.phase;
    const ready = (status.conditions as PodCondition[] | undefined)?.find((condition) => condition.type === 'Ready');
    if (ready) pod.status.conditions = [{ type: 'Ready', status: ready.status }];
    if (status.containerStatuses?.length) pod.status.containerStatuses = status.containerStatuses.map(projectContainerStatus);
  }
  return pod;
}

function keptAnnotations(all: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!all) return undefined;
  let kept: Record<string, string> | undefined;
  for (const key in all) {
    if (KEPT_ANNOTATION_PREFIXES.some((prefix) => key.startsWith(prefix))) (kept ??= {})[key] = all[key];
  }
  return kept;
}

function projectContainer(container: Container): Container {
  const out: Container = { name: container.name };
  if (container.image !== undefined) out.image = container.image;
  if (container.restartPolicy !== undefined) out.restartPolicy = container.restartPolicy;
  return out;
}

function projectContainerStatus(status: ContainerStatus): ContainerStatus {
  const out: ContainerStatus = { name: status.name, ready: status.ready === true };
  if (status.image !== undefined) out.image = status.image;
  if (status.imageID !== undefined) out.imageID = status.imageID;
  return out;
}
