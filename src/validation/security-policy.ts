// Our security policy for SidecarSets (not Kruise's): whoever may write a SidecarSet decides what
// runs, with which privileges, inside every Pod it selects, so by default that is as strong as
// cluster-admin. The policy, in the ConfigMap next to the patchPodMetadata whitelist under
// SECURITY_POLICY_KEY, narrows it. Off unless `enabled` (Kruise accepts all of this); when on, each
// rule refuses what it guards unless its `allow...` field lets it through, with a field error that
// names the rule. JSON:
//   {"enabled": true, "allowPrivileged": false, "allowedCapabilities": ["NET_BIND_SERVICE"],
//    "allowHostPorts": false, "allowedHostPaths": ["/var/log"], "allowShareVolumePolicy": false,
//    "allowSecretTransferEnv": false}
import type { SidecarContainer, SidecarSetSpec } from '../api/sidecarset.ts';
import { type FieldError, type FieldPath, forbidden } from '../field-error.ts';
import type { SchemaNode } from '../api/schema.ts';
import { parseConfigMapJson } from './configmap-json.ts';
import { compileStructure } from './structural.ts';

export const SECURITY_POLICY_KEY = 'SidecarSet_SecurityPolicy';

/** Rule names, as errors print them. */
export type SecurityRule = 'privileged' | 'capabilities' | 'hostPorts' | 'hostPath' | 'shareVolumePolicy' | 'secretTransferEnv';

export interface SecurityPolicy {
  enabled: boolean;
  allowPrivileged: boolean;
  allowedCapabilities: string[];
  allowHostPorts: boolean;
  /** hostPath volumes are allowed at these paths and below. */
  allowedHostPaths: string[];
  allowShareVolumePolicy: boolean;
  allowSecretTransferEnv: boolean;
}

const flag: SchemaNode = { type: 'boolean' };
const strings: SchemaNode = { type: 'array', items: { type: 'string' } };
const validatePolicyStructure = compileStructure({
  type: 'object',
  properties: {
    enabled: flag,
    allowPrivileged: flag,
    allowedCapabilities: strings,
    allowHostPorts: flag,
    allowedHostPaths: strings,
    allowShareVolumePolicy: flag,
    allowSecretTransferEnv: flag,
  },
});

/** Parses the ConfigMap value; on any problem returns field errors under `data[<key>]` and no policy. */
export function parseSecurityPolicy(json: string): { policy?: SecurityPolicy; errors: FieldError[] } {
  const { document, errors } = parseConfigMapJson(json, SECURITY_POLICY_KEY, validatePolicyStructure);
  if (!document) return { errors };
  const given = document as Partial<SecurityPolicy>;
  return {
    policy: {
      enabled: given.enabled ?? false,
      allowPrivileged: given.allowPrivileged ?? false,
      allowedCapabilities: given.allowedCapabilities ?? [],
      allowHostPorts: given.allowHostPorts ?? false,
      allowedHostPaths: given.allowedHostPaths ?? [],
      allowShareVolumePolicy: given.allowShareVolumePolicy ?? false,
      allowSecretTransferEnv: given.allowSecretTransferEnv ?? false,
    },
    errors,
  };
}

/** The error of a rule, in one wording: `<field>: Forbidden: security policy rule "<rule>": <why>`. */
export function policyViolation(field: string, rule: SecurityRule, why: string): FieldError {
  return forbidden(field, `security policy rule ${JSON.stringify(rule)}: ${why}`);
}

/** `/var/log` allows `/var/log` and `/var/log/app`, not `/var/logs`. */
function isUnder(path: string, allowed: readonly string[]): boolean {
  const normalised = path.replace(/\/+$/, '') || '/';
  return allowed.some((prefix) => {
    const base = prefix.replace(/\/+$/, '') || '/';
    return normalised === base || normalised.startsWith(base === '/' ? '/' : `${base}/`);
  });
}

function containerViolations(container: SidecarContainer, policy: SecurityPolicy, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const context = container.securityContext;
  if (context?.privileged === true && !policy.allowPrivileged) {
    errors.push(policyViolation(path.child('securityContext').child('privileged').text, 'privileged', 'privileged sidecars are not allowed'));
  }
  const allowedCapabilities = new Set(policy.allowedCapabilities);
  (context?.capabilities?.add ?? []).forEach((capability, index) => {
    if (!allowedCapabilities.has(capability)) {
      errors.push(policyViolation(path.child('securityContext').child('capabilities').child('add').index(index).text, 'capabilities', `capability ${capability} is not in allowedCapabilities`));
    }
  });
  (container.ports ?? []).forEach((port, index) => {
    if (port.hostPort !== undefined && port.hostPort !== 0 && !policy.allowHostPorts) {
      errors.push(policyViolation(path.child('ports').index(index).child('hostPort').text, 'hostPorts', "ports in the host's network namespace are not allowed"));
    }
  });
  if (container.shareVolumePolicy?.type === 'enabled' && !policy.allowShareVolumePolicy) {
    errors.push(
      policyViolation(path.child('shareVolumePolicy').child('type').text, 'shareVolumePolicy', "it mounts every volume of the Pod into the sidecar, the Pod's Secrets and ServiceAccount token included"),
    );
  }
  return errors;
}

/** Every violation of an enabled policy by the SidecarSet; none when the policy is off. */
export function validateSecurityPolicy(spec: SidecarSetSpec, policy: SecurityPolicy | undefined, path: FieldPath): FieldError[] {
  if (!policy?.enabled) return [];
  const errors: FieldError[] = [];
  for (const list of ['initContainers', 'containers'] as const) {
    (spec[list] ?? []).forEach((container, index) => errors.push(...containerViolations(container, policy, path.child(list).index(index))));
  }
  (spec.volumes ?? []).forEach((volume, index) => {
    const hostPath = volume.hostPath?.path;
    if (hostPath !== undefined && !isUnder(hostPath, policy.allowedHostPaths)) {
      errors.push(policyViolation(path.child('volumes').index(index).child('hostPath').child('path').text, 'hostPath', `host path ${hostPath} is not under allowedHostPaths`));
    }
  });
  return errors;
}
