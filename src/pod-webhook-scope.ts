// Which Pods the API server sends to the Pod webhook at all: its registration's namespaceSelector
// (evaluated on the namespace's labels) and objectSelector (on the Pod's). Both are the apiserver's to
// apply, never the webhook's; the offline CLI and `explain` apply them to say what would happen.
import type { LabelSelector } from './api/core.ts';
import { LABEL_INJECT, LABEL_INJECT_OPT_OUT_VALUE } from './api/sidecarset.ts';
import { compileRequirements, unmetRequirement, type CompiledRequirement, type Labels } from './label-selector.ts';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
export const SYSTEM_NAMESPACE = 'kube-system';

export interface PodWebhookSelectors {
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

/**
 * What the Helm chart registers: never kube-system nor the operator's namespace (a webhook that must
 * admit its own Pods could never come back), nor the extra excluded namespaces; never an opted-out Pod.
 */
export function defaultPodWebhookSelectors(operatorNamespace: string, excludedNamespaces: readonly string[] = []): Required<PodWebhookSelectors> {
  return {
    namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'NotIn', values: [...new Set([SYSTEM_NAMESPACE, operatorNamespace, ...excludedNamespaces])] }] },
    objectSelector: { matchExpressions: [{ key: LABEL_INJECT, operator: 'NotIn', values: [LABEL_INJECT_OPT_OUT_VALUE] }] },
  };
}

/** Why the apiserver would not send a Pod to the webhook. */
export interface ScopeExclusion {
  /** excluded-namespace and opt-out are the chart's own rules; the others come from a changed registration. */
  reason: 'excluded-namespace' | 'opt-out' | 'webhook-namespace-selector' | 'webhook-object-selector';
  selector: 'namespaceSelector' | 'objectSelector';
  requirement: CompiledRequirement;
}

/** Whether a Pod with these labels, in a namespace with these labels, reaches the webhook; if not, why. Throws LabelSelectorError. */
export function podWebhookExclusion(selectors: PodWebhookSelectors, podLabels: Labels | undefined, namespaceLabels: Labels): ScopeExclusion | undefined {
  if (selectors.namespaceSelector) {
    const unmet = unmetRequirement(compileRequirements(selectors.namespaceSelector), namespaceLabels);
    if (unmet) return { reason: unmet.key === NAMESPACE_NAME_LABEL ? 'excluded-namespace' : 'webhook-namespace-selector', selector: 'namespaceSelector', requirement: unmet };
  }
  if (selectors.objectSelector) {
    const unmet = unmetRequirement(compileRequirements(selectors.objectSelector), podLabels);
    if (unmet) return { reason: unmet.key === LABEL_INJECT ? 'opt-out' : 'webhook-object-selector', selector: 'objectSelector', requirement: unmet };
  }
  return undefined;
}
