// Which SidecarSets apply to which Pods (spec Part B §4 steps 1 and 4b, Part A §1). Shared by the Pod
// webhook (injection) and the controller (matched Pods). Injection-only concerns such as
// `injectionStrategy.paused` are left to the caller.
import type { Pod } from './api/core.ts';
import type { SidecarSet, SidecarSetSpec } from './api/sidecarset.ts';
import { compileSelector, isEmptySelector, LabelSelectorError, type LabelPredicate, type Labels } from './label-selector.ts';

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
 * Compiles a SidecarSet's namespace and Pod selectors once. The returned matcher throws LabelSelectorError
 * when the Pod selector is malformed and the namespace matched (Kruise then refuses the Pod); a malformed
 * namespaceSelector only fails to match, as in Kruise.
 */
export function compileSidecarSetMatcher(sidecarSet: SidecarSet): SidecarSetPodMatcher {
  const spec = sidecarSet.spec ?? {};
  const namespaceMatches = compileNamespaceMatcher(spec);
  let podSelector: LabelPredicate = () => false; // nil and empty selectors select no Pod
  let selectorError: LabelSelectorError | undefined;
  if (!isEmptySelector(spec.selector)) {
    try {
      podSelector = compileSelector(spec.selector);
    } catch (error) {
      selectorError = new LabelSelectorError(`SidecarSet ${JSON.stringify(sidecarSet.metadata.name)}: spec.selector: ${(error as Error).message}`);
    }
  }
  return (podLabels, namespace) => {
    if (!namespaceMatches(namespace)) return false;
    if (selectorError) throw selectorError;
    return podSelector(podLabels);
  };
}

/**
 * v1alpha1 `spec.namespace` means "only this namespace" and, as its conversion to v1beta1 does, takes
 * precedence over `namespaceSelector`.
 */
function compileNamespaceMatcher(spec: SidecarSetSpec): (namespace: PodNamespace) => boolean {
  if (spec.namespace) {
    const only = spec.namespace;
    return (namespace) => namespace.name === only;
  }
  if (!spec.namespaceSelector) return () => true;
  let selector: LabelPredicate;
  try {
    selector = compileSelector(spec.namespaceSelector);
  } catch {
    return () => false;
  }
  return (namespace) => namespace.labels !== undefined && selector(namespace.labels);
}
