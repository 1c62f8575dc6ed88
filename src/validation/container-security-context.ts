// Kubernetes' checks on a container's securityContext (ValidateSecurityContext), for the sidecars of a
// SidecarSet, which join Pods that share the host's user namespace. Privileged containers are allowed,
// as kruise-manager allows them by default; seccompProfile.type is left to the schema's enum.
import { type FieldError, type FieldPath, invalid, notSupported, required } from '../field-error.ts';

interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  capabilities?: { add?: string[] };
  seccompProfile?: { type?: string; localhostProfile?: string };
  procMount?: string;
}

const PROC_MOUNT_TYPES = ['Default', 'Unmasked'];

const MAX_ID = 2147483647;
const idErrors = (id: number | undefined, path: FieldPath): FieldError[] =>
  id !== undefined && (id < 0 || id > MAX_ID) ? [invalid(path.text, id, `must be between 0 and ${MAX_ID}, inclusive`)] : [];

export function validateSecurityContext(context: SecurityContext | undefined, path: FieldPath): FieldError[] {
  if (!context) return [];
  const errors = [...idErrors(context.runAsUser, path.child('runAsUser')), ...idErrors(context.runAsGroup, path.child('runAsGroup'))];
  if (context.procMount !== undefined) {
    const procMountPath = path.child('procMount').text;
    if (!PROC_MOUNT_TYPES.includes(context.procMount)) errors.push(notSupported(procMountPath, context.procMount, PROC_MOUNT_TYPES));
    if (context.procMount === 'Unmasked') errors.push(invalid(procMountPath, context.procMount, '`hostUsers` must be false to use `Unmasked`'));
  }
  const seccomp = context.seccompProfile;
  if (seccomp?.type === 'Localhost' && seccomp.localhostProfile === undefined) {
    errors.push(required(path.child('seccompProfile').child('localhostProfile').text, 'must be set when seccomp type is Localhost'));
  } else if (seccomp && seccomp.type !== 'Localhost' && seccomp.localhostProfile !== undefined) {
    errors.push(invalid(path.child('seccompProfile').child('localhostProfile').text, seccomp, 'can only be set when seccomp type is Localhost'));
  }
  if (context.allowPrivilegeEscalation === false) {
    if (context.privileged === true) errors.push(invalid(path.text, context, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    for (const capability of context.capabilities?.add ?? []) {
      if (capability === 'CAP_SYS_ADMIN') errors.push(invalid(path.text, context, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  return errors;
}
