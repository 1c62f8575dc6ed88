// The SidecarSet validating webhook (Kruise's vsidecarset.kb.io): CREATE and UPDATE (with the
// stored object) are checked against every rule, and against the other SidecarSets, the
// ControllerRevisions and the patchPodMetadata whitelist as the caches hold them. A refusal is a
// 422 Invalid that lists every field error (docs/decisions/denials-are-4xx.md). Served on the Kruise 1.8 and 1.9 paths, each
// taking both versions: a v1beta1 object is judged by the same rules, after conversion.
import { toModel } from '../src/api/conversion.ts';
import { apiVersionOf, GROUP, KIND, type SidecarSet, type SidecarSetVersion } from '../src/api/sidecarset.ts';
import { PATCH_METADATA_WHITELIST_KEY, parsePatchMetadataWhitelist, type PatchMetadataWhitelist } from '../src/validation/patch-metadata-whitelist.ts';
import { validateSidecarSet } from '../src/validation/validate-sidecarset.ts';
import { nonImageChangeWarning } from '../src/upgrade/non-image-changes.ts';
import type { ConfigMap } from '../src/kube/caches.ts';
import { formatFieldError } from '../src/field-error.ts';
import { allow, deny, errorMessage, forbidden, type AdmissionWebhook } from './admission-outcome.ts';
import { unsyncedDenial, type AdmissionCaches } from './admission-caches.ts';
import { invalidStatus } from './invalid-status.ts';
import { outOfScope } from './request-scope.ts';
import { requireSidecarSet, requireSupportedVersion, SIDECARSET_RESOURCE } from './sidecarset-request.ts';

/** Kruise 1.8's path, then 1.9's. */
export const SIDECARSET_VALIDATION_PATHS = ['/validate-apps-kruise-io-v1alpha1-sidecarset', '/validate-apps-kruise-io-sidecarset'] as const;

export interface SidecarSetValidationSettings {
  caches: AdmissionCaches;
  /** Where the whitelist ConfigMap lives, and its name. */
  operatorNamespace: string;
  whitelistConfigMap: string;
  allowPatchMetadataWithoutWhitelist: boolean;
}

interface WhitelistReading {
  whitelist?: PatchMetadataWhitelist;
  warnings?: string[];
}

export function sidecarSetValidationWebhook(settings: SidecarSetValidationSettings, path: string): AdmissionWebhook {
  const { caches } = settings;
  const scope = { path, ...SIDECARSET_RESOURCE, operations: ['CREATE', 'UPDATE'] as const };
  const whitelistKey = `${settings.operatorNamespace}/${settings.whitelistConfigMap}`;
  // Parsed once per ConfigMap version: the cache hands out the same object until it changes.
  const readings = new WeakMap<ConfigMap, WhitelistReading>();
  const readWhitelist = (): WhitelistReading => {
    const configMap = caches.whitelist.get(whitelistKey);
    const json = configMap?.data?.[PATCH_METADATA_WHITELIST_KEY];
    if (!configMap || json === undefined) return {};
    let reading = readings.get(configMap);
    if (!reading) {
      const { whitelist, errors } = parsePatchMetadataWhitelist(json);
      // A broken whitelist counts as none, and says so: it must not block SidecarSets that patch nothing.
      reading = whitelist ? { whitelist } : { warnings: [`ConfigMap ${whitelistKey} holds an invalid whitelist, ignored: ${errors.map(formatFieldError).join('; ')}`] };
      readings.set(configMap, reading);
    }
    return reading;
  };

  return {
    name: 'validate-sidecarset',
    path,
    mutating: false,
    admit(request) {
      const skip = outOfScope(request, scope);
      if (skip) return skip;
      const version = requireSupportedVersion(request);
      const sidecarSet = requireSidecarSet(request, 'object', version);
      const oldObject = request.operation === 'UPDATE' ? storedModel(requireSidecarSet(request, 'oldObject', version), version) : undefined;
      const notSynced = unsyncedDenial({ sidecarSets: caches.sidecarSets, revisions: caches.revisions, whitelist: caches.whitelist });
      if (notSynced) return notSynced;

      const { whitelist, warnings } = readWhitelist();
      const errors = validateSidecarSet({ apiVersion: apiVersionOf(version), ...sidecarSet }, {
        operation: request.operation as 'CREATE' | 'UPDATE',
        oldObject,
        others: caches.sidecarSets.list(),
        revisions: caches.revisions.list(),
        patchMetadataWhitelist: whitelist,
        allowPatchMetadataWithoutWhitelist: settings.allowPatchMetadataWithoutWhitelist,
      });
      if (errors.length === 0) {
        // Beyond Kruise: say at the moment of the change what cannot reach the running Pods.
        const notInPlace = oldObject ? nonImageChangeWarning(oldObject, storedModel(sidecarSet, version), caches.pods?.list() ?? []) : undefined;
        return allow({ warnings: notInPlace ? [...(warnings ?? []), notInPlace] : warnings });
      }
      const name = typeof (sidecarSet.metadata as { name?: unknown }).name === 'string' ? (sidecarSet.metadata as { name: string }).name : request.name;
      return { ...deny(invalidStatus({ group: GROUP, kind: KIND, name }, errors)), warnings };
    },
    // Fail closed: only SidecarSet writes stop, and an unchecked SidecarSet could break Pod creation.
    onInternalError: (error) => forbidden(`internal error while validating the SidecarSet: ${errorMessage(error)}`),
  };
}

/** The stored object in the operator's model; it passed validation once, so conversion cannot fail on its shape. */
function storedModel(object: Record<string, unknown>, version: SidecarSetVersion): SidecarSet {
  return toModel({ kind: KIND, ...object, apiVersion: apiVersionOf(version) });
}
