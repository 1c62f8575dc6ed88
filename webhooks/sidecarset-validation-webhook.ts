// The SidecarSet validating webhook (Kruise's vsidecarset.kb.io): CREATE and UPDATE (with the
// stored object) are checked against every rule, and against the other SidecarSets, the
// ControllerRevisions, the patchPodMetadata whitelist and our security policy as the caches hold
// them. A refusal is a 422 Invalid that lists every field error (docs/decisions/denials-are-4xx.md); an unreadable security
// policy refuses every SidecarSet write with its own errors until it is fixed. Served on the Kruise
// 1.8 and 1.9 paths, each taking both versions: a v1beta1 object is judged by the same rules, after
// conversion.
import { ConversionError, toModel } from '../src/api/conversion.ts';
import { apiVersionOf, GROUP, KIND, type SidecarSet, type SidecarSetVersion } from '../src/api/sidecarset.ts';
import { validateSidecarSet } from '../src/validation/validate-sidecarset.ts';
import { nonImageChangeWarning } from '../src/upgrade/non-image-changes.ts';
import { allow, badRequest, deny, errorMessage, forbidden, Rejection, type AdmissionWebhook } from './admission-outcome.ts';
import { notReadyDenial, type AdmissionCaches } from './admission-caches.ts';
import { invalidStatus } from './invalid-status.ts';
import { operatorConfigurationReader } from './operator-configuration.ts';
import { TWO_OBJECT_REVIEW_BYTES } from './review-size.ts';
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

export function sidecarSetValidationWebhook(settings: SidecarSetValidationSettings, path: string): AdmissionWebhook {
  const { caches } = settings;
  const scope = { path, ...SIDECARSET_RESOURCE, operations: ['CREATE', 'UPDATE'] as const };
  const readConfiguration = operatorConfigurationReader(caches.whitelist, settings.operatorNamespace, settings.whitelistConfigMap);

  return {
    name: 'validate-sidecarset',
    path,
    mutating: false,
    maxBodyBytes: TWO_OBJECT_REVIEW_BYTES,
    admit(request) {
      const skip = outOfScope(request, scope);
      if (skip) return skip;
      const version = requireSupportedVersion(request);
      const sidecarSet = requireSidecarSet(request, 'object', version);
      const oldObject = request.operation === 'UPDATE' ? storedModel(requireSidecarSet(request, 'oldObject', version), version) : undefined;
      const notSynced = notReadyDenial({ sidecarSets: caches.sidecarSets, revisions: caches.revisions, whitelist: caches.whitelist });
      if (notSynced) return notSynced;

      const { whitelist, whitelistWarnings: warnings, policy, policyErrors = [] } = readConfiguration();
      const errors = [...policyErrors, ...validateSidecarSet({ apiVersion: apiVersionOf(version), ...sidecarSet }, {
        operation: request.operation as 'CREATE' | 'UPDATE',
        oldObject,
        others: caches.sidecarSets.list(),
        revisions: caches.revisions.list(),
        patchMetadataWhitelist: whitelist,
        allowPatchMetadataWithoutWhitelist: settings.allowPatchMetadataWithoutWhitelist,
        securityPolicy: policy,
      })];
      if (errors.length === 0) {
        // Beyond Kruise: say at the moment of the change what cannot reach the running Pods.
        const after = oldObject && storedModel(sidecarSet, version);
        const notInPlace = after ? nonImageChangeWarning(oldObject, after, caches.podsByInjectedSidecarSet?.injectedBy(after.metadata.name ?? '') ?? []) : undefined;
        return allow({ warnings: notInPlace ? [...(warnings ?? []), notInPlace] : warnings });
      }
      const name = typeof (sidecarSet.metadata as { name?: unknown }).name === 'string' ? (sidecarSet.metadata as { name: string }).name : request.name;
      return { ...deny(invalidStatus({ group: GROUP, kind: KIND, name }, errors)), warnings };
    },
    // Fail closed: only SidecarSet writes stop, and an unchecked SidecarSet could break Pod creation.
    onInternalError: (error) => forbidden(`internal error while validating the SidecarSet: ${errorMessage(error)}`),
  };
}

/**
 * The stored object in the operator's model. A real apiserver sends one that passed validation once;
 * anything that cannot be converted (another kind, a spec that is not an object) is a 400 denial.
 */
function storedModel(object: Record<string, unknown>, version: SidecarSetVersion): SidecarSet {
  try {
    return toModel({ kind: KIND, ...object, apiVersion: apiVersionOf(version) });
  } catch (error) {
    if (error instanceof ConversionError) throw new Rejection(badRequest(`request.oldObject is not a SidecarSet: ${errorMessage(error)}`));
    throw error;
  }
}
