// The sidecars and their volumes (docs/behaviour/validation.md rules 17, 19, 20, 22, 23): at least one sidecar, the
// sidecar-specific policy values, transferEnv field references, then Kubernetes' own container and
// volume checks as if the sidecars and volumes formed a Pod.
import type { SidecarContainer, SidecarSetSpec } from '../api/sidecarset.ts';
import { type FieldError, type FieldPath, invalid, required } from '../field-error.ts';
import { type FieldPathConverter, splitSubscriptedPath, validateFieldRef } from './field-ref.ts';
import { validatePodContainers } from './pod-containers.ts';
import { validateVolumes } from './pod-volumes.ts';

const POD_INJECT_POLICIES = ['BeforeAppContainer', 'AfterAppContainer'];
const SHARE_VOLUME_POLICIES = ['enabled', 'disabled'];

/**
 * Kruise reads the source container name from a Pod label or annotation only, so nothing else converts,
 * not even the `metadata.name` its API documentation mentions; no plain field path is ever accepted.
 */
const convertTransferEnvFieldPath: FieldPathConverter = (apiVersion, fieldPath) => {
  if (apiVersion !== 'v1') return `unsupported pod version: ${apiVersion}`;
  const subscripted = splitSubscriptedPath(fieldPath);
  if (!subscripted) return `field label not supported: ${fieldPath}`;
  return subscripted[0] === 'metadata.annotations' || subscripted[0] === 'metadata.labels' ? undefined : `field path not supported: ${subscripted[0]}`;
};

export function validateSidecarContainers(spec: SidecarSetSpec, path: FieldPath): FieldError[] {
  const initContainers = spec.initContainers ?? [];
  const containers = spec.containers ?? [];
  const { errors, mountable } = validateVolumes(spec.volumes ?? [], path.child('volumes'));
  if (initContainers.length === 0 && containers.length === 0) {
    errors.push(required(path.text, 'no initContainer or container defined for SidecarSet'));
    return errors;
  }
  containers.forEach((container, index) => errors.push(...validateSidecarFields(container, path, path.child('containers').index(index))));
  errors.push(...validatePodContainers(initContainers, containers, mountable, path.child('initContainers'), path.child('containers')));
  return errors;
}

/** Kruise reports the two policies at the unindexed `spec.container.*` paths; kept for compatibility. */
function validateSidecarFields(container: SidecarContainer, specPath: FieldPath, containerPath: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (!POD_INJECT_POLICIES.includes(container.podInjectPolicy ?? '')) {
    errors.push(invalid(specPath.child('container').child('podInjectPolicy').text, container.podInjectPolicy ?? '', 'unsupported pod inject policy'));
  }
  if (!SHARE_VOLUME_POLICIES.includes(container.shareVolumePolicy?.type ?? '')) {
    errors.push(invalid(specPath.child('container').child('shareVolumePolicy').text, container.shareVolumePolicy ?? {}, 'unsupported share volume policy'));
  }
  (container.transferEnv ?? []).forEach((transfer, index) => {
    const fieldRef = transfer.sourceContainerNameFrom?.fieldRef;
    if (!fieldRef) return;
    const fieldRefPath = containerPath.child('transferEnv').index(index).child('sourceContainerNameFrom').child('fieldRef');
    errors.push(...validateFieldRef(fieldRef, [], convertTransferEnvFieldPath, fieldRefPath));
  });
  return errors;
}
