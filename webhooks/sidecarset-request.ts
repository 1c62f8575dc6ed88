// What both SidecarSet webhooks check before judging an object: the API version (only v1alpha1
// is served until v1beta1 exists; Kruise answers `unsupported version` too) and the object's shape.
import { GROUP, PLURAL, VERSION, type SidecarSet } from '../src/api/sidecarset.ts';
import type { AdmissionRequest } from './admission-review.ts';
import { badRequest, Rejection } from './admission-outcome.ts';

export const SIDECARSET_RESOURCE = { group: GROUP, resource: PLURAL } as const;

export function requireSupportedVersion(request: AdmissionRequest): void {
  if (request.resource.version !== VERSION) throw new Rejection(badRequest(`unsupported version: ${request.resource.version}`));
}

/** The SidecarSet in `object` or `oldObject`; throws a 400 Rejection when there is none that can be read. */
export function requireSidecarSet(request: AdmissionRequest, field: 'object' | 'oldObject'): SidecarSet {
  const value = request[field];
  if (!value) throw new Rejection(badRequest(`request.${field} is required for ${request.operation}`));
  const metadata = value.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new Rejection(badRequest(`request.${field}.metadata must be an object`));
  }
  return value as unknown as SidecarSet;
}
