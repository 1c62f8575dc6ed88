// Which SidecarSets apply to which Pods (docs/behaviour/injection.md steps 1 and 4b, docs/behaviour/scope.md). Shared by the Pod
// webhook (injection) and the controller (matched Pods). Injection-only concerns such as
// `injectionStrategy.paused` are left to the caller.
import type { Pod } from './api/core.ts';
import type { LabelSelector } from './api/core.ts';
import { LABEL_NAMESPACE_NAME, type SidecarSet, type SidecarSetSpec } from './api/sidecarset.ts';
import { compileRequirements, isEmptySelector, LabelSelectorError, unmetRequirement, type CompiledRequirement, type Labels } from './label-selector.ts';

/** The namespace a Pod lives in, as far as matching needs it. */
export interface PodNamespace {
  name: string;
  /** The Namespace object's labels; undefined when unknown, and then no namespaceSelector matches. */
  labels?: Labels;
}

export const DEFAULT_NAMESPACE = 'default';

/** Kubernetes' IsPodActive: not Succeeded, not Failed, not being deleted. */
export function isActivePod(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** A Pod made by a controller may carry no namespace: the admission request's namespace applies, then "default". */
export function podNamespaceName(pod: Pod, requestNamespace?: string): string {
  return pod.metadata?.namespace || requestNamespace || DEFAULT_NAMESPACE;
}

/** Decides whether a SidecarSet applies to a Pod with these labels in this namespace. */
export type SidecarSetPodMatcher = (podLabels: Labels | undefined, namespace: PodNamespace) => boolean;

/**
 * Why a SidecarSet does not apply to a Pod. Built when the SidecarSet is compiled, so answering "why
 * not" costs a matcher nothing: `sidecarset explain` reports the very object the webhook's test returned.
 */
export type Mismatch =
  | { readonly reason: 'namespace'; readonly namespace: string }
  | { readonly reason: 'namespace-labels-unknown' }
  | { readonly reason: 'namespace-selector'; readonly requirement: CompiledRequirement }
  | { readonly reason: 'namespace-selector-invalid'; readonly message: string }
  | { readonly reason: 'no-selector' }
  | { readonly reason: 'selector'; readonly requirement: CompiledRequirement };

/** undefined when the SidecarSet applies to a Pod with these labels in this namespace, else why not. */
export type SidecarSetPodMatch = (podLabels: Labels | undefined, namespace: PodNamespace) => Mismatch | undefined;

/**
 * Compiles a SidecarSet's namespace and Pod selectors once. The returned match throws LabelSelectorError
 * when the Pod selector is malformed and the namespace matched (Kruise then refuses the Pod); a malformed
 * namespaceSelector only fails to match, as in Kruise.
 */
export function compileSidecarSetMatch(sidecarSet: SidecarSet): SidecarSetPodMatch {
  const spec = sidecarSet.spec ?? {};
  const namespaceMismatch = compileNamespaceMatch(spec);
  let podMismatch: (labels: Labels | undefined) => Mismatch | undefined;
  if (isEmptySelector(spec.selector)) {
    const noSelector: Mismatch = { reason: 'no-selector' }; // nil and empty selectors select no Pod
    podMismatch = () => noSelector;
  } else {
    try {
      podMismatch = requirementsMismatch(compileRequirements(spec.selector!), 'selector');
    } catch (error) {
      const selectorError = new LabelSelectorError(`SidecarSet ${JSON.stringify(sidecarSet.metadata.name)}: spec.selector: ${(error as Error).message}`);
      podMismatch = () => {
        throw selectorError;
      };
    }
  }
  return (podLabels, namespace) => namespaceMismatch(namespace) ?? podMismatch(podLabels);
}

/** The boolean form of compileSidecarSetMatch, for callers that do not ask why. */
export function compileSidecarSetMatcher(sidecarSet: SidecarSet): SidecarSetPodMatcher {
  const match = compileSidecarSetMatch(sidecarSet);
  return (podLabels, namespace) => match(podLabels, namespace) === undefined;
}

function requirementsMismatch(requirements: readonly CompiledRequirement[], reason: 'selector' | 'namespace-selector'): (labels: Labels | undefined) => Mismatch | undefined {
  const mismatches = new Map<CompiledRequirement, Mismatch>(requirements.map((requirement) => [requirement, { reason, requirement }]));
  return (labels) => {
    const unmet = unmetRequirement(requirements, labels);
    return unmet && mismatches.get(unmet);
  };
}

/**
 * The one namespace a selector on `kubernetes.io/metadata.name` alone names (what v1alpha1
 * `spec.namespace` becomes in v1beta1), or undefined. Every Namespace carries that label with its own
 * name, so matching compares names and needs no Namespace object.
 */
export function namespaceNamedBy(selector: LabelSelector | undefined): string | undefined {
  if (!selector || (selector.matchExpressions ?? []).length > 0) return undefined;
  const labels = Object.entries(selector.matchLabels ?? {});
  return labels.length === 1 && labels[0][0] === LABEL_NAMESPACE_NAME ? labels[0][1] : undefined;
}

/**
 * v1alpha1 `spec.namespace` means "only this namespace" and, as its conversion to v1beta1 does, takes
 * precedence over `namespaceSelector`; a v1beta1 selector naming one namespace means the same.
 */
function compileNamespaceMatch(spec: SidecarSetSpec): (namespace: PodNamespace) => Mismatch | undefined {
  const only = spec.namespace || namespaceNamedBy(spec.namespaceSelector);
  if (only !== undefined) {
    const otherNamespace: Mismatch = { reason: 'namespace', namespace: only };
    return (namespace) => (namespace.name === only ? undefined : otherNamespace);
  }
  if (!spec.namespaceSelector) return () => undefined;
  let labelsMismatch: (labels: Labels | undefined) => Mismatch | undefined;
  try {
    labelsMismatch = requirementsMismatch(compileRequirements(spec.namespaceSelector), 'namespace-selector');
  } catch (error) {
    const invalid: Mismatch = { reason: 'namespace-selector-invalid', message: (error as Error).message };
    return () => invalid;
  }
  const unknown: Mismatch = { reason: 'namespace-labels-unknown' };
  return (namespace) => (namespace.labels === undefined ? unknown : labelsMismatch(namespace.labels));
}
