// OpenKruise's heuristic for "could two SidecarSets select the same Pod" (docs/behaviour/validation.md, conflicts).
// It is deliberately conservative: selectors on different keys count as overlapping.
import type { LabelSelector } from '../api/core.ts';
import type { SidecarSetSpec } from '../api/sidecarset.ts';
import { NAMESPACE_NAME_LABEL } from '../pod-webhook-scope.ts';

const ALL_VALUES = 'ALL';

/** A missing selector is treated as overlapping everything, the safe answer. */
export function isSelectorOverlapping(a: LabelSelector | undefined, b: LabelSelector | undefined): boolean {
  if (!a || !b) return true;
  return !(isDisjoint(a, b) || isDisjoint(b, a));
}

/** Key → values `a` admits: matchLabels and `In` add values, `Exists` admits any value (ALL_VALUES). */
function admittedValues(selector: LabelSelector): Map<string, Set<string>> {
  const admitted = new Map<string, Set<string>>();
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) admitted.set(key, new Set([value]));
  for (const requirement of selector.matchExpressions ?? []) {
    if (requirement.operator === 'In') {
      const values = admitted.get(requirement.key) ?? new Set<string>();
      for (const value of requirement.values ?? []) values.add(value);
      admitted.set(requirement.key, values);
    } else if (requirement.operator === 'Exists') admitted.set(requirement.key, new Set([ALL_VALUES]));
  }
  return admitted;
}

// Linear in the sizes of both selectors: every membership test is a Set lookup, never a list scan
// (two selectors of 50,000 values each once took seconds of a blocked event loop).
function isDisjoint(a: LabelSelector, b: LabelSelector): boolean {
  const admitted = admittedValues(a);
  const admits = (values: Set<string> | undefined, value: string): boolean => values === undefined || values.has(ALL_VALUES) || values.has(value);
  for (const [key, value] of Object.entries(b.matchLabels ?? {})) {
    if (!admits(admitted.get(key), value)) return true;
  }
  for (const requirement of b.matchExpressions ?? []) {
    const values = admitted.get(requirement.key);
    const requirementValues = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
        if (values && !values.has(ALL_VALUES) && !requirementValues.some((value) => values.has(value))) return true;
        break;
      case 'NotIn': {
        if (!values) break;
        const excluded = new Set(requirementValues);
        if ([...values].every((value) => excluded.has(value))) return true;
        break;
      }
      case 'Exists':
        if (!values) return true;
        break;
      case 'DoesNotExist':
        if (values) return true;
        break;
    }
  }
  return false;
}

/** v1alpha1 `spec.namespace` means a `kubernetes.io/metadata.name` selector and overrides `namespaceSelector`. */
function effectiveNamespaceSelector(spec: Pick<SidecarSetSpec, 'namespace' | 'namespaceSelector'>): LabelSelector | undefined {
  if (spec.namespace) return { matchLabels: { [NAMESPACE_NAME_LABEL]: spec.namespace } };
  return spec.namespaceSelector;
}

/** Two SidecarSets are kept apart by namespace only when both restrict namespaces, disjointly. */
export function isNamespaceOverlapping(a: Pick<SidecarSetSpec, 'namespace' | 'namespaceSelector'>, b: Pick<SidecarSetSpec, 'namespace' | 'namespaceSelector'>): boolean {
  const selectorA = effectiveNamespaceSelector(a);
  const selectorB = effectiveNamespaceSelector(b);
  if (!selectorA || !selectorB) return true;
  return isSelectorOverlapping(selectorA, selectorB);
}
