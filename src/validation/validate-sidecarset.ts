// Admission validation of a SidecarSet (docs/behaviour/validation.md as scoped in docs/behaviour/scope.md): every field error at once.
//
// Order, as in Kruise: (a) metadata, (b) canary annotations (refused: not supported yet), (c) spec,
// (d) on UPDATE the container immutability rules; only when all of these pass, (e) conflicts with the
// other SidecarSets. Before all of it comes the structural check against the strict schema; when the
// structure is wrong only the metadata is checked besides, like the apiserver does for a custom
// resource, because the other rules assume well-typed fields. Any JSON value is accepted as input and
// answered with errors, never an exception. A v1beta1 object is checked against the v1beta1 schema, then
// converted, so every other rule judges both versions alike.
import type { ControllerRevision, ObjectMeta } from '../api/core.ts';
import { parseApiVersion, v1beta1ToModel } from '../api/conversion.ts';
import { LABEL_NAMESPACE_NAME, type SidecarSet, type SidecarSetSpec, type SidecarSetV1beta1, V1ALPHA1, V1BETA1 } from '../api/sidecarset.ts';
import { namespaceNamedBy } from '../matching.ts';
import { type FieldError, type FieldPath, invalid, required, root } from '../field-error.ts';
import { isJsonObject } from '../json-object.ts';
import { validateConflicts } from './conflicts.ts';
import { validateContainerImmutability } from './container-immutability.ts';
import { validateInjectionStrategy } from './injection-strategy.ts';
import { isDns1123Label } from './names.ts';
import { validateObjectMeta } from './object-meta.ts';
import { type PatchMetadataWhitelist, validatePatchMetadataWhitelist } from './patch-metadata-whitelist.ts';
import { validatePatchPodMetadata } from './patch-pod-metadata.ts';
import { validateSidecarSetSelector } from './selectors.ts';
import { validateSidecarContainers } from './sidecar-containers.ts';
import { validateSecurityPolicy, type SecurityPolicy } from './security-policy.ts';
import { validateStructure, withoutNulls } from './structural.ts';
import { refuseCanaryAnnotations } from './unsupported.ts';
import { validateResourcesPolicies } from './resources-policy.ts';
import { validateUpdateStrategy } from './update-strategy.ts';

export interface ValidationContext {
  operation: 'CREATE' | 'UPDATE';
  /** The stored object, on UPDATE. */
  oldObject?: SidecarSet;
  /** The other SidecarSets of the cluster (defaulted), for the conflict rules. Its own name is skipped. */
  others: readonly SidecarSet[];
  /** ControllerRevisions of the operator's namespace, to resolve `injectionStrategy.revision`. */
  revisions: readonly ControllerRevision[];
  /** The parsed whitelist ConfigMap value; undefined when there is none. */
  patchMetadataWhitelist?: PatchMetadataWhitelist;
  /** Allow every patchPodMetadata key when no whitelist (or no rule) applies. */
  allowPatchMetadataWithoutWhitelist: boolean;
  /** Our SidecarSet security policy (security-policy.ts); off when absent. */
  securityPolicy?: SecurityPolicy;
}

const METADATA = root('metadata');
const SPEC = root('spec');

export function validateSidecarSet(input: unknown, context: ValidationContext): FieldError[] {
  const object = withoutNulls(input);
  const version = (isJsonObject(object) && parseApiVersion(object.apiVersion)) || V1ALPHA1;
  const structural = validateStructure(object, version);
  if (structural.length > 0) {
    const metadataIsSound = isJsonObject(object) && !structural.some((error) => error.field === 'metadata' || /^metadata[.[]/.test(error.field));
    const metadata = metadataIsSound ? validateObjectMeta((object.metadata ?? {}) as ObjectMeta, METADATA) : [];
    return [...metadata, ...structural];
  }
  const parsed = (version === V1BETA1 ? v1beta1ToModel(object as unknown as SidecarSetV1beta1) : object) as Partial<SidecarSet>;
  const sidecarSet: SidecarSet = { ...parsed, metadata: parsed.metadata ?? {}, spec: parsed.spec ?? {} };

  const errors = [
    ...validateObjectMeta(sidecarSet.metadata, METADATA),
    ...refuseCanaryAnnotations(sidecarSet.metadata, METADATA),
    ...validateSpec(sidecarSet, context),
  ];
  if (context.operation === 'UPDATE' && context.oldObject) {
    errors.push(...validateContainerImmutability(sidecarSet, context.oldObject, SPEC.child('containers')));
  }
  if (errors.length > 0) return errors;
  return validateConflicts(sidecarSet, context.others, SPEC);
}

function validateSpec(sidecarSet: SidecarSet, context: ValidationContext): FieldError[] {
  const spec = sidecarSet.spec;
  const errors: FieldError[] = [];
  if (!spec.selector) errors.push(required(SPEC.child('selector').text, 'no selector defined for SidecarSet'));
  else errors.push(...validateSidecarSetSelector(spec.selector, SPEC.child('selector')));
  errors.push(...validateNamespaceScope(spec, SPEC));
  errors.push(...validateInjectionStrategy(sidecarSet, context.revisions));
  errors.push(...validateUpdateStrategy(spec, SPEC.child('updateStrategy')));
  errors.push(...validateSidecarContainers(spec, SPEC));
  errors.push(...validateResourcesPolicies(spec, SPEC));
  const patchPath = SPEC.child('patchPodMetadata');
  errors.push(...validatePatchMetadataWhitelist(sidecarSet, context.patchMetadataWhitelist, context.allowPatchMetadataWithoutWhitelist, patchPath));
  errors.push(...validatePatchPodMetadata(spec, patchPath));
  errors.push(...validateSecurityPolicy(spec, context.securityPolicy, SPEC));
  return errors;
}

/**
 * `namespace` and `namespaceSelector` together are refused, as Kruise v1.8 (v1alpha1 only) does: a later
 * conversion would silently drop the selector. A namespace must be a valid namespace name, or it could
 * never match a Pod; so must the one a selector on `kubernetes.io/metadata.name` alone names, which is
 * the same rule in v1beta1 (where `spec.namespace` becomes such a selector).
 */
function validateNamespaceScope(spec: SidecarSetSpec, path: FieldPath): FieldError[] {
  if (spec.namespace && spec.namespaceSelector) {
    return [required(path.child('namespace, namespaceSelector').text, 'namespace and namespaceSelector are mutually exclusive')];
  }
  if (spec.namespace) return isDns1123Label(spec.namespace).map((message) => invalid(path.child('namespace').text, spec.namespace, message));
  if (!spec.namespaceSelector) return [];
  const selectorPath = path.child('namespaceSelector');
  const errors = validateSidecarSetSelector(spec.namespaceSelector, selectorPath);
  const named = namespaceNamedBy(spec.namespaceSelector);
  if (named !== undefined && errors.length === 0) {
    const namePath = selectorPath.child('matchLabels').key(LABEL_NAMESPACE_NAME).text;
    errors.push(...isDns1123Label(named).map((message) => invalid(namePath, named, message)));
  }
  return errors;
}
