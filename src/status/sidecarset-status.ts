// SidecarSet status from the Pods the caches hold (docs/behaviour/status.md, Kruise's getMatchingPods and
// calculateStatus), plus the drift list we add: Pods the SidecarSet selects that it never injected.
import type { Pod } from '../api/core.ts';
import { LABEL_INJECT, LABEL_INJECT_OPT_OUT_VALUE, type SidecarSet, type SidecarSetStatus } from '../api/sidecarset.ts';
import type { Labels } from '../label-selector.ts';
import { compileSidecarSetMatcher, isActivePod } from '../matching.ts';
import { isInjectedBy } from '../pod-annotations.ts';
import { isPodConsistentWithSidecarSet, isPodReady, isPodSidecarUpdated, isPodStateConsistent, sidecarContainerNamesInPod } from './pod-sidecar-state.ts';

export interface PodSelection {
  /** Kruise's matched Pods: selected (namespace and selector), active, injected by this SidecarSet, laid out as it expects. */
  matched: Pod[];
  /** Selected and active, but not injected by this SidecarSet and not opted out (beyond Kruise). */
  notInjected: Pod[];
}

export interface SelectionOptions {
  /** Labels of a namespace, undefined when unknown (then no namespaceSelector matches). */
  namespaceLabels: (namespace: string) => Labels | undefined;
  /** Namespaces the Pod webhook never sees (kube-system, the operator's own): not drift. */
  driftExcludedNamespaces?: ReadonlySet<string>;
}

export type PodClass = 'matched' | 'notInjected';

/**
 * Where a Pod stands with a SidecarSet: matched, drift, or neither (undefined). Throws
 * LabelSelectorError for a malformed Pod selector, as Kruise fails the reconcile.
 */
export function podClassifier(sidecarSet: SidecarSet, options: SelectionOptions): (pod: Pod) => PodClass | undefined {
  const matches = compileSidecarSetMatcher(sidecarSet);
  const name = sidecarSet.metadata.name ?? '';
  return (pod) => {
    const namespace = pod.metadata.namespace ?? '';
    if (!isActivePod(pod) || !matches(pod.metadata.labels, { name: namespace, labels: options.namespaceLabels(namespace) })) return undefined;
    if (isInjectedBy(pod, name)) return isPodConsistentWithSidecarSet(pod, sidecarSet) ? 'matched' : undefined;
    if (pod.metadata.labels?.[LABEL_INJECT] === LABEL_INJECT_OPT_OUT_VALUE || options.driftExcludedNamespaces?.has(namespace)) return undefined;
    return 'notInjected';
  };
}

/** Splits the Pods a SidecarSet selects (see podClassifier). */
export function selectPods(sidecarSet: SidecarSet, pods: Iterable<Pod>, options: SelectionOptions): PodSelection {
  const classify = podClassifier(sidecarSet, options);
  const selection: PodSelection = { matched: [], notInjected: [] };
  for (const pod of pods) {
    const kind = classify(pod);
    if (kind) selection[kind].push(pod);
  }
  return selection;
}

export interface RevisionStatus {
  latestRevision: string;
  collisionCount: number;
}

/** Kruise's calculateStatus over the matched Pods. */
export function calculateStatus(sidecarSet: SidecarSet, matched: readonly Pod[], revision: RevisionStatus): SidecarSetStatus {
  const sidecarContainers = sidecarContainerNamesInPod(sidecarSet);
  let updatedPods = 0;
  let readyPods = 0;
  let updatedReadyPods = 0;
  for (const pod of matched) {
    const updated = isPodSidecarUpdated(pod, sidecarSet);
    if (updated) updatedPods++;
    if (isPodStateConsistent(pod, sidecarSet, sidecarContainers) && isPodReady(pod, sidecarSet)) {
      readyPods++;
      if (updated) updatedReadyPods++;
    }
  }
  return {
    observedGeneration: sidecarSet.metadata.generation ?? 0,
    matchedPods: matched.length,
    updatedPods,
    readyPods,
    updatedReadyPods,
    latestRevision: revision.latestRevision,
    collisionCount: revision.collisionCount,
  };
}

/** Kruise's inconsistentStatus: any counter, the revision or the collision count differs, or the generation moved on. */
export function statusNeedsWrite(current: SidecarSetStatus | undefined, next: SidecarSetStatus): boolean {
  return (
    (next.observedGeneration ?? 0) > (current?.observedGeneration ?? 0) ||
    next.matchedPods !== (current?.matchedPods ?? 0) ||
    next.updatedPods !== (current?.updatedPods ?? 0) ||
    next.readyPods !== (current?.readyPods ?? 0) ||
    (next.updatedReadyPods ?? 0) !== (current?.updatedReadyPods ?? 0) ||
    (next.latestRevision ?? '') !== (current?.latestRevision ?? '') ||
    next.collisionCount !== current?.collisionCount
  );
}
