// The operator's ConfigMap (--whitelist-configmap, in the operator's namespace) as the webhooks read
// it: the patchPodMetadata whitelist under Kruise's key and our SidecarSet security policy under
// SECURITY_POLICY_KEY. Parsed once per ConfigMap version: the cache hands out the same object until
// it changes.
import type { ConfigMap } from '../src/kube/caches.ts';
import { formatFieldError, type FieldError } from '../src/field-error.ts';
import { PATCH_METADATA_WHITELIST_KEY, parsePatchMetadataWhitelist, type PatchMetadataWhitelist } from '../src/validation/patch-metadata-whitelist.ts';
import { parseSecurityPolicy, SECURITY_POLICY_KEY, type SecurityPolicy } from '../src/validation/security-policy.ts';
import type { CacheReader } from './admission-caches.ts';

export interface OperatorConfiguration {
  whitelist?: PatchMetadataWhitelist;
  /** A broken whitelist counts as none, and says so here: it must not block SidecarSets that patch nothing. */
  whitelistWarnings?: string[];
  policy?: SecurityPolicy;
  /** A broken policy: whoever reads it fails closed (an administrator meant to restrict something). */
  policyErrors?: FieldError[];
}

export function operatorConfigurationReader(cache: CacheReader<ConfigMap>, namespace: string, name: string): () => OperatorConfiguration {
  const key = `${namespace}/${name}`;
  const readings = new WeakMap<ConfigMap, OperatorConfiguration>();
  return () => {
    const configMap = cache.get(key);
    if (!configMap) return {};
    let reading = readings.get(configMap);
    if (!reading) {
      reading = {};
      const whitelistJson = configMap.data?.[PATCH_METADATA_WHITELIST_KEY];
      if (whitelistJson !== undefined) {
        const { whitelist, errors } = parsePatchMetadataWhitelist(whitelistJson);
        if (whitelist) reading.whitelist = whitelist;
        else reading.whitelistWarnings = [`ConfigMap ${key} holds an invalid whitelist, ignored: ${errors.map(formatFieldError).join('; ')}`];
      }
      const policyJson = configMap.data?.[SECURITY_POLICY_KEY];
      if (policyJson !== undefined) {
        const { policy, errors } = parseSecurityPolicy(policyJson);
        if (policy) reading.policy = policy;
        else reading.policyErrors = errors;
      }
      readings.set(configMap, reading);
    }
    return reading;
  };
}
