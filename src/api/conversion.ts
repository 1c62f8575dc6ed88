// Conversion between the two served SidecarSet versions (pure; the `/convert` webhook and the CLI use it).
//
// The rules are Kruise 1.9's (v1beta1 is its hub): v1alpha1 `spec.namespace` becomes a
// `kubernetes.io/metadata.name` namespaceSelector, the custom-version label becomes
// `spec.customVersion`, and back. Kruise's v1alpha1 -> v1beta1 -> v1alpha1 loses `spec.namespace` (and a
// namespaceSelector set next to it); since the apiserver stores v1beta1, every v1alpha1 client would see
// its object change. So the v1alpha1 namespace scope that v1beta1 cannot express is kept in one
// annotation on the v1beta1 object and restored from it while the v1beta1 selector is still the one it
// produced (docs/decisions/v1alpha1-namespace-annotation.md).
import type { LabelSelector, ObjectMeta } from './core.ts';
import {
  GROUP,
  KIND,
  LABEL_CUSTOM_VERSION,
  LABEL_NAMESPACE_NAME,
  type SidecarSet,
  type SidecarSetV1beta1,
  type SidecarSetVersion,
  SERVED_VERSIONS,
  V1ALPHA1,
  V1BETA1,
  apiVersionOf,
} from './sidecarset.ts';
import { isJsonObject } from '../json-object.ts';

/** On a v1beta1 object: the v1alpha1 `{namespace, namespaceSelector?}` its namespaceSelector stands for. */
export const ANNOTATION_V1ALPHA1_NAMESPACE_SCOPE = 'sidecarset.kruise.io/v1alpha1-namespace-scope';

export class ConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversionError';
  }
}

/** The version an object says it is in, or a ConversionError. */
export function sidecarSetVersionOf(object: unknown): SidecarSetVersion {
  if (!isJsonObject(object)) throw new ConversionError('not a JSON object');
  if (object.kind !== KIND) throw new ConversionError(`kind ${JSON.stringify(object.kind ?? '')} is not ${KIND}`);
  const version = parseApiVersion(object.apiVersion);
  if (!version) throw new ConversionError(`apiVersion ${JSON.stringify(object.apiVersion ?? '')} is not one of ${SERVED_VERSIONS.map(apiVersionOf).join(', ')}`);
  if (object.metadata !== undefined && !isJsonObject(object.metadata)) throw new ConversionError('metadata is not an object');
  if (object.spec !== undefined && !isJsonObject(object.spec)) throw new ConversionError('spec is not an object');
  return version;
}

/** `apps.kruise.io/v1beta1` -> `v1beta1`; undefined for anything else. */
export function parseApiVersion(apiVersion: unknown): SidecarSetVersion | undefined {
  return SERVED_VERSIONS.find((version) => apiVersion === apiVersionOf(version));
}

/** Converts a SidecarSet of either version to `to`; throws ConversionError for anything that is not one. */
export function convertSidecarSet(object: unknown, to: SidecarSetVersion): SidecarSet | SidecarSetV1beta1 {
  const from = sidecarSetVersionOf(object);
  const copy = structuredClone(object) as SidecarSet;
  if (from === to) return copy;
  return to === V1BETA1 ? toV1beta1(copy) : toV1alpha1(copy as unknown as SidecarSetV1beta1);
}

/** The operator's model (v1alpha1) of a SidecarSet of either version. */
export function toModel(object: unknown): SidecarSet {
  return convertSidecarSet(object, V1ALPHA1) as SidecarSet;
}

/** The model of a v1beta1 object already known to be one (validation checks its structure first). */
export function v1beta1ToModel(object: SidecarSetV1beta1): SidecarSet {
  return toV1alpha1(structuredClone(object));
}

interface NamespaceScope {
  namespace: string;
  namespaceSelector?: LabelSelector;
}

const nameSelector = (namespace: string): LabelSelector => ({ matchLabels: { [LABEL_NAMESPACE_NAME]: namespace } });

function toV1beta1(alpha: SidecarSet): SidecarSetV1beta1 {
  const { namespace, namespaceSelector, ...spec } = alpha.spec ?? {};
  const metadata: ObjectMeta = { ...alpha.metadata };
  const beta: SidecarSetV1beta1 = { ...alpha, apiVersion: apiVersionOf(V1BETA1), metadata, spec };
  const annotations = { ...metadata.annotations };
  delete annotations[ANNOTATION_V1ALPHA1_NAMESPACE_SCOPE];
  if (namespace) {
    beta.spec.namespaceSelector = nameSelector(namespace);
    const scope: NamespaceScope = namespaceSelector ? { namespace, namespaceSelector } : { namespace };
    annotations[ANNOTATION_V1ALPHA1_NAMESPACE_SCOPE] = JSON.stringify(scope);
  } else if (namespaceSelector !== undefined) beta.spec.namespaceSelector = namespaceSelector;
  setMap(metadata, 'annotations', annotations);
  // An empty label means "no custom version" in both versions, so it stays a label and round-trips.
  const customVersion = metadata.labels?.[LABEL_CUSTOM_VERSION];
  if (customVersion) {
    beta.spec.customVersion = customVersion;
    const labels = { ...metadata.labels };
    delete labels[LABEL_CUSTOM_VERSION];
    setMap(metadata, 'labels', labels);
  }
  return beta;
}

function toV1alpha1(beta: SidecarSetV1beta1): SidecarSet {
  const { customVersion, namespaceSelector, ...spec } = beta.spec ?? {};
  delete (spec as { namespace?: unknown }).namespace; // not a v1beta1 field
  const metadata: ObjectMeta = { ...beta.metadata };
  const alpha: SidecarSet = { ...beta, apiVersion: apiVersionOf(V1ALPHA1), metadata, spec };
  const annotations = { ...metadata.annotations };
  const scope = namespaceScope(annotations[ANNOTATION_V1ALPHA1_NAMESPACE_SCOPE], namespaceSelector);
  delete annotations[ANNOTATION_V1ALPHA1_NAMESPACE_SCOPE];
  setMap(metadata, 'annotations', annotations);
  if (scope) {
    alpha.spec.namespace = scope.namespace;
    if (scope.namespaceSelector !== undefined) alpha.spec.namespaceSelector = scope.namespaceSelector;
  } else if (namespaceSelector !== undefined) alpha.spec.namespaceSelector = namespaceSelector;
  if (customVersion) metadata.labels = { ...metadata.labels, [LABEL_CUSTOM_VERSION]: customVersion };
  return alpha;
}

/** The recorded scope, if it is well-formed and the selector is still the one it produced. */
function namespaceScope(recorded: string | undefined, selector: LabelSelector | undefined): NamespaceScope | undefined {
  if (recorded === undefined) return undefined;
  let scope: unknown;
  try {
    scope = JSON.parse(recorded);
  } catch {
    return undefined;
  }
  if (!isJsonObject(scope) || typeof scope.namespace !== 'string' || !scope.namespace) return undefined;
  if (scope.namespaceSelector !== undefined && !isJsonObject(scope.namespaceSelector)) return undefined;
  if (JSON.stringify(selector) !== JSON.stringify(nameSelector(scope.namespace))) return undefined;
  return scope as unknown as NamespaceScope;
}

/** Sets a metadata map, or drops it when empty (Go's omitempty: the apiserver never stores an empty one). */
function setMap(metadata: ObjectMeta, key: 'labels' | 'annotations', map: Record<string, string>): void {
  if (Object.keys(map).length > 0) metadata[key] = map;
  else delete metadata[key];
}

