// What both SidecarSet webhooks check before judging an object: the API version (v1alpha1 or v1beta1,
// on both the Kruise 1.8 and 1.9 paths; Kruise answers `unsupported version` too) and the object's shape.
import { parseApiVersion } from '../src/api/conversion.ts';
import { apiVersionOf, GROUP, PLURAL, SERVED_VERSIONS, type SidecarSetVersion } from '../src/api/sidecarset.ts';
import type { AdmissionRequest } from './admission-review.ts';
import { badRequest, Rejection } from './admission-outcome.ts';

export const SIDECARSET_RESOURCE = { group: GROUP, resource: PLURAL } as const;

export function requireSupportedVersion(request: AdmissionRequest): SidecarSetVersion {
  const version = SERVED_VERSIONS.find((served) => served === request.resource.version);
  if (!version) throw new Rejection(badRequest(`unsupported version: ${request.resource.version}`));
  return version;
}

/**
 * The SidecarSet in `object` or `oldObject`, in the version of the request; throws a 400 Rejection
 * when there is none that can be read.
 */
export function requireSidecarSet(request: AdmissionRequest, field: 'object' | 'oldObject', version: SidecarSetVersion): Record<string, unknown> {
  const value = request[field];
  if (!value) throw new Rejection(badRequest(`request.${field} is required for ${request.operation}`));
  const metadata = value.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new Rejection(badRequest(`request.${field}.metadata must be an object`));
  }
  if (value.apiVersion !== undefined && parseApiVersion(value.apiVersion) !== version) {
    throw new Rejection(badRequest(`request.${field}.apiVersion ${JSON.stringify(value.apiVersion)} is not ${apiVersionOf(version)}`));
  }
  return value;
}
