// SidecarSet defaulting (docs/behaviour/defaulting.md): what the mutating webhook fills in on CREATE and UPDATE.
// Pure and idempotent: defaulting a defaulted object changes nothing.
import type { Container, HTTPGetAction, ObjectFieldSelector, Probe, Volume, VolumeProjection } from './api/core.ts';
import { VOLUME_SOURCES } from './api/volume-sources.ts';
import {
  ANNOTATION_SIDECARSET_HASH,
  ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE,
  type PodInjectPolicy,
  type SidecarContainer,
  type SidecarSet,
} from './api/sidecarset.ts';
import { sidecarSetHash, sidecarSetHashWithoutImage } from './hash.ts';
import { goQuantityString } from './quantity.ts';

const DEFAULT_REVISION_HISTORY_LIMIT = 10;
const DEFAULT_FILE_MODE = 0o644; // 420, as Kubernetes defaults secret, configMap and projected volumes
const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

/** Returns a defaulted copy of the SidecarSet, hash annotations included. The input is not modified. */
export function defaultSidecarSet(input: SidecarSet): SidecarSet {
  const sidecarSet = structuredClone(input);
  sidecarSet.spec ??= {};
  const spec = sidecarSet.spec;

  const strategy = (spec.updateStrategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  strategy.maxUnavailable ??= 1;
  strategy.partition ??= 0;

  for (const container of spec.initContainers ?? []) defaultSidecarContainer(container, 'AfterAppContainer');
  for (const container of spec.containers ?? []) defaultSidecarContainer(container, 'BeforeAppContainer');
  for (const volume of spec.volumes ?? []) defaultVolume(volume);

  spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
  for (const patch of spec.patchPodMetadata ?? []) {
    if (!patch.patchPolicy) patch.patchPolicy = 'Retain';
  }
  const revision = spec.injectionStrategy?.revision;
  if (revision && !revision.policy) revision.policy = 'Always';

  setHashAnnotations(sidecarSet);
  return sidecarSet;
}

/** Recomputes both hash annotations, overwriting whatever the user put there (docs/behaviour/defaulting.md step 9). */
export function setHashAnnotations(sidecarSet: SidecarSet): void {
  const annotations = (sidecarSet.metadata.annotations ??= {});
  annotations[ANNOTATION_SIDECARSET_HASH] = sidecarSetHash(sidecarSet.spec);
  annotations[ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE] = sidecarSetHashWithoutImage(sidecarSet.spec);
}

function defaultSidecarContainer(container: SidecarContainer, injectPolicy: PodInjectPolicy): void {
  if (!container.podInjectPolicy) container.podInjectPolicy = injectPolicy;
  const upgrade = (container.upgradeStrategy ??= {});
  if (!upgrade.upgradeType) upgrade.upgradeType = 'ColdUpgrade';
  const share = (container.shareVolumePolicy ??= {});
  if (!share.type) share.type = 'disabled';
  for (const transfer of container.transferEnv ?? []) {
    // Kruise dereferences fieldRef unconditionally and crashes on `sourceContainerNameFrom: {}`; we only default what exists.
    defaultFieldRef(transfer.sourceContainerNameFrom?.fieldRef);
  }
  // The CRD's default, which the apiserver applies before any webhook; here for the CLI, which has none.
  if (container.resourcesPolicy && container.resourcesPolicy.targetContainersNameRegex === undefined) container.resourcesPolicy.targetContainersNameRegex = '.*';
  defaultContainer(container);
}

/** The core/v1 container defaults a Pod would get from the apiserver, as Kruise applies them. */
export function defaultContainer(container: Container): void {
  if (!container.terminationMessagePath) container.terminationMessagePath = '/dev/termination-log';
  if (!container.terminationMessagePolicy) container.terminationMessagePolicy = 'File';
  if (!container.imagePullPolicy) container.imagePullPolicy = imageTag(container.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  for (const port of container.ports ?? []) {
    if (!port.protocol) port.protocol = 'TCP';
  }
  for (const env of container.env ?? []) defaultFieldRef(env.valueFrom?.fieldRef);
  for (const list of [container.resources?.limits, container.resources?.requests]) {
    for (const [resource, quantity] of Object.entries(list ?? {})) {
      // Go rewrites a quantity rounded up to milli in canonical form; an unparsable one is left for validation.
      list![resource] = goQuantityString(quantity, true) ?? quantity;
    }
  }
  if (container.livenessProbe) defaultProbe(container.livenessProbe);
  if (container.readinessProbe) defaultProbe(container.readinessProbe);
  if (container.lifecycle?.postStart?.httpGet) defaultHttpGet(container.lifecycle.postStart.httpGet);
  if (container.lifecycle?.preStop?.httpGet) defaultHttpGet(container.lifecycle.preStop.httpGet);
}

/**
 * The tag Kubernetes' image-name parser finds: the explicit tag, "latest" when there is neither tag nor
 * digest, "" when only a digest is given or the reference is empty.
 */
export function imageTag(image: string): string {
  if (!image) return '';
  const [name, digest] = image.split('@', 2);
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  if (colon >= 0) return name.slice(colon + 1);
  return digest === undefined ? 'latest' : '';
}

function defaultProbe(probe: Probe): void {
  if (!probe.timeoutSeconds) probe.timeoutSeconds = 1;
  if (!probe.periodSeconds) probe.periodSeconds = 10;
  if (!probe.successThreshold) probe.successThreshold = 1;
  if (!probe.failureThreshold) probe.failureThreshold = 3;
  if (probe.httpGet) defaultHttpGet(probe.httpGet);
}

function defaultHttpGet(action: HTTPGetAction): void {
  if (!action.path) action.path = '/';
  if (!action.scheme) action.scheme = 'HTTP';
}

/** Kubernetes' SetDefaults_Volume and the defaults of the volume sources a sidecar is likely to use. */
export function defaultVolume(volume: Volume): void {
  if (!VOLUME_SOURCES.some((source) => volume[source] !== undefined && volume[source] !== null)) volume.emptyDir = {};
  if (volume.hostPath && volume.hostPath.type === undefined) volume.hostPath.type = '';
  for (const source of [volume.secret, volume.configMap, volume.downwardAPI, volume.projected]) {
    if (source && source.defaultMode === undefined) source.defaultMode = DEFAULT_FILE_MODE;
  }
  for (const item of volume.downwardAPI?.items ?? []) defaultFieldRef(item.fieldRef);
  for (const projection of volume.projected?.sources ?? []) defaultProjection(projection);
}

function defaultProjection(projection: VolumeProjection): void {
  for (const item of projection.downwardAPI?.items ?? []) defaultFieldRef(item.fieldRef);
  const token = projection.serviceAccountToken;
  if (token && token.expirationSeconds === undefined) token.expirationSeconds = DEFAULT_TOKEN_EXPIRATION_SECONDS;
}

/** A downward-API field reference without apiVersion means v1. */
function defaultFieldRef(fieldRef: ObjectFieldSelector | null | undefined): void {
  if (fieldRef && !fieldRef.apiVersion) fieldRef.apiVersion = 'v1';
}
