// Which SidecarSets a watch event concerns. Pure; the controller turns the answers into queue keys.
import type { ControllerRevision, Namespace, Pod } from './api/core.ts';
import { LABEL_SIDECARSET_NAME, type SidecarSet } from './api/sidecarset.ts';
import type { Labels } from './label-selector.ts';
import { compileSidecarSetMatcher, namespaceNamedBy, type SidecarSetPodMatcher } from './matching.ts';
import { injectedSidecarSets } from './pod-annotations.ts';

// Cached objects keep their identity until they change, so compile each SidecarSet's matcher once.
const matchers = new WeakMap<SidecarSet, SidecarSetPodMatcher>();

function matcherOf(sidecarSet: SidecarSet): SidecarSetPodMatcher {
  let matcher = matchers.get(sidecarSet);
  if (!matcher) {
    const compiled = compileSidecarSetMatcher(sidecarSet);
    matcher = (labels, namespace) => {
      try {
        return compiled(labels, namespace);
      } catch {
        return false; // a malformed selector fails in the reconcile, where it is reported
      }
    };
    matchers.set(sidecarSet, matcher);
  }
  return matcher;
}

/**
 * SidecarSets whose status may change with this Pod event: those named in the injected-list of the
 * old or new Pod (Kruise's handler) and those whose selector matches the old or new labels, so a
 * relabelled or never-injected Pod is recounted too.
 */
export function sidecarSetsForPod(pod: Pod, old: Pod | undefined, sidecarSets: Iterable<SidecarSet>, namespaceLabels: (namespace: string) => Labels | undefined): Set<string> {
  const names = new Set([...injectedSidecarSets(pod), ...injectedSidecarSets(old)]);
  const namespace = pod.metadata.namespace ?? '';
  const podNamespace = { name: namespace, labels: namespaceLabels(namespace) };
  for (const sidecarSet of sidecarSets) {
    const name = sidecarSet.metadata.name ?? '';
    if (names.has(name)) continue;
    const matches = matcherOf(sidecarSet);
    if (matches(pod.metadata.labels, podNamespace) || (old !== undefined && matches(old.metadata.labels, podNamespace))) names.add(name);
  }
  return names;
}

/** Whether a Pod update can change any status or drift count: the projected Pod differs beyond its resourceVersion. */
export function podChanged(pod: Pod, old: Pod): boolean {
  const { resourceVersion: _a, ...meta } = pod.metadata;
  const { resourceVersion: _b, ...oldMeta } = old.metadata;
  return JSON.stringify({ ...pod, metadata: meta }) !== JSON.stringify({ ...old, metadata: oldMeta });
}

/**
 * Kruise reconciles on SidecarSet updates only when the generation changes; we also do when labels
 * or annotations change (the v1alpha1 custom-version label lives there, docs/behaviour/revisions.md).
 * Status-only updates, our own writes included, never requeue.
 */
export function sidecarSetChanged(sidecarSet: SidecarSet, old: SidecarSet): boolean {
  return (
    sidecarSet.metadata.generation !== old.metadata.generation ||
    JSON.stringify(sidecarSet.metadata.labels ?? {}) !== JSON.stringify(old.metadata.labels ?? {}) ||
    JSON.stringify(sidecarSet.metadata.annotations ?? {}) !== JSON.stringify(old.metadata.annotations ?? {})
  );
}

/** SidecarSets to recount when a namespace appears, disappears or is relabelled: those whose namespaceSelector reads labels. */
export function sidecarSetsForNamespace(namespace: Namespace, old: Namespace | undefined, sidecarSets: Iterable<SidecarSet>): Set<string> {
  const names = new Set<string>();
  if (old && JSON.stringify(namespace.metadata.labels ?? {}) === JSON.stringify(old.metadata.labels ?? {})) return names;
  for (const sidecarSet of sidecarSets) {
    if (sidecarSet.spec.namespaceSelector && !sidecarSet.spec.namespace && namespaceNamedBy(sidecarSet.spec.namespaceSelector) === undefined) names.add(sidecarSet.metadata.name ?? '');
  }
  return names;
}

/** The SidecarSet a ControllerRevision belongs to (by label). */
export function sidecarSetForRevision(revision: ControllerRevision): string | undefined {
  return revision.metadata.labels?.[LABEL_SIDECARSET_NAME] || undefined;
}
