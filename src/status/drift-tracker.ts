// Drift (Pods a SidecarSet selects but never injected) kept per SidecarSet between reconciles, so a
// reconcile triggered by Pod events re-judges only those Pods instead of scanning every Pod (drift
// needs Pods NOT injected, which no index by injected SidecarSet can give). A full scan happens on
// the first reconcile, after rescan() (the SidecarSet or a namespace's labels changed, a new
// leadership term, the periodic resync), and after a reconcile that failed. docs/decisions/drift-tracker.md
import type { Pod } from '../api/core.ts';
import type { Labels } from '../label-selector.ts';
import type { PodClass } from './sidecarset-status.ts';

export interface PodSource {
  list(): Iterable<Pod>;
  /** By 'namespace/name'. */
  get(key: string): Pod | undefined;
}

export type PodClassifier = (pod: Pod) => PodClass | undefined;

/** What a reconcile lends the tracker to judge Pods. */
export interface DriftScope {
  pods: PodSource;
  /** Every SidecarSet: one full scan serves all those due for one. */
  sidecarSetNames(): Iterable<string>;
  /** The SidecarSets that may select a Pod with these labels: a superset of those that do, each once. */
  candidates(labels: Labels | undefined): Iterable<string>;
  /** How this SidecarSet judges a Pod; undefined when it no longer exists. */
  classifierOf(sidecarSetName: string): PodClassifier | undefined;
}

export interface DriftTracker {
  /** A Pod event that may change the drift of these SidecarSets. */
  podTouched(podKey: string, sidecarSetNames: Iterable<string>): void;
  /** The next reconcile of these SidecarSets scans every Pod. */
  rescan(sidecarSetNames: Iterable<string>): void;
  /** The next reconcile of every SidecarSet scans every Pod. */
  rescanAll(): void;
  /**
   * This SidecarSet's drift: the last result with the touched Pods judged again, or a full scan when
   * due, which also settles every other SidecarSet due for one (after rescanAll, 1,000 SidecarSets
   * cost one pass over the Pods, not 1,000).
   */
  notInjected(sidecarSetName: string, scope: DriftScope): Pod[];
}

interface Drift {
  pods: Map<string, Pod>;
  /** Pod keys with events since the last reconcile. */
  touched: Set<string>;
}

export function createDriftTracker(): DriftTracker {
  // No entry: due for a full scan.
  const drifts = new Map<string, Drift>();
  const keyOf = (pod: Pod): string => `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;

  /** One pass over every Pod for `requested` and every other SidecarSet due; returns the drift of `requested`. */
  const fullScan = (requested: string, classify: PodClassifier, scope: DriftScope): Map<string, Pod> => {
    const due = new Map<string, { classify: PodClassifier; pods: Map<string, Pod> }>([[requested, { classify, pods: new Map() }]]);
    for (const name of scope.sidecarSetNames()) {
      if (drifts.has(name) || due.has(name)) continue;
      const other = scope.classifierOf(name);
      if (other) due.set(name, { classify: other, pods: new Map() });
    }
    for (const pod of scope.pods.list()) {
      for (const name of scope.candidates(pod.metadata.labels)) {
        const entry = due.get(name);
        if (!entry) continue;
        let kind: PodClass | undefined;
        try {
          kind = entry.classify(pod);
        } catch (error) {
          if (name === requested) throw error;
          due.delete(name); // left due: its own reconcile meets the error and reports it
          continue;
        }
        if (kind === 'notInjected') entry.pods.set(keyOf(pod), pod);
      }
    }
    for (const [name, entry] of due) if (name !== requested) drifts.set(name, { pods: entry.pods, touched: new Set() });
    return due.get(requested)!.pods;
  };

  return {
    podTouched(podKey, sidecarSetNames) {
      for (const name of sidecarSetNames) drifts.get(name)?.touched.add(podKey);
    },
    rescan(sidecarSetNames) {
      for (const name of sidecarSetNames) drifts.delete(name);
    },
    rescanAll: () => drifts.clear(),
    notInjected(sidecarSetName, scope) {
      const classify = scope.classifierOf(sidecarSetName);
      const drift = drifts.get(sidecarSetName);
      // Taken out while judging: if classify throws (a malformed selector), the next reconcile scans afresh.
      drifts.delete(sidecarSetName);
      if (!classify) return [];
      let pods: Map<string, Pod>;
      if (drift) {
        pods = new Map();
        for (const [key, pod] of drift.pods) if (!drift.touched.has(key)) pods.set(key, pod);
        for (const key of drift.touched) {
          const pod = scope.pods.get(key);
          if (pod && classify(pod) === 'notInjected') pods.set(key, pod);
        }
      } else {
        pods = fullScan(sidecarSetName, classify, scope);
      }
      drifts.set(sidecarSetName, { pods, touched: new Set() });
      return [...pods.values()];
    },
  };
}
