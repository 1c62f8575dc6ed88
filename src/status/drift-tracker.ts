// Drift (Pods a SidecarSet selects but never injected) kept per SidecarSet between reconciles, so a
// reconcile triggered by Pod events re-judges only those Pods instead of scanning every Pod (drift
// needs Pods NOT injected, which no index by injected SidecarSet can give). A full scan happens on
// the first reconcile, after rescan() (the SidecarSet or a namespace's labels changed, a new
// leadership term, the periodic resync), and after a reconcile that failed. docs/decisions/drift-tracker.md
import type { Pod } from '../api/core.ts';
import type { PodClass } from './sidecarset-status.ts';

export interface PodSource {
  list(): Iterable<Pod>;
  /** By 'namespace/name'. */
  get(key: string): Pod | undefined;
}

export interface DriftTracker {
  /** A Pod event that may change the drift of these SidecarSets. */
  podTouched(podKey: string, sidecarSetNames: Iterable<string>): void;
  /** The next reconcile of these SidecarSets scans every Pod. */
  rescan(sidecarSetNames: Iterable<string>): void;
  /** The next reconcile of every SidecarSet scans every Pod. */
  rescanAll(): void;
  /** This SidecarSet's drift: a full scan when due, else the last result with the touched Pods judged again. */
  notInjected(sidecarSetName: string, classify: (pod: Pod) => PodClass | undefined, pods: PodSource): Pod[];
}

interface Drift {
  pods: Map<string, Pod>;
  /** Pod keys with events since the last reconcile. */
  touched: Set<string>;
}

export function createDriftTracker(): DriftTracker {
  // No entry: the next reconcile scans every Pod.
  const drifts = new Map<string, Drift>();
  const keyOf = (pod: Pod): string => `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;

  return {
    podTouched(podKey, sidecarSetNames) {
      for (const name of sidecarSetNames) drifts.get(name)?.touched.add(podKey);
    },
    rescan(sidecarSetNames) {
      for (const name of sidecarSetNames) drifts.delete(name);
    },
    rescanAll: () => drifts.clear(),
    notInjected(sidecarSetName, classify, source) {
      const drift = drifts.get(sidecarSetName);
      // Taken out while judging: if classify throws (a malformed selector), the next reconcile scans afresh.
      drifts.delete(sidecarSetName);
      const pods = new Map<string, Pod>();
      if (drift) {
        for (const [key, pod] of drift.pods) if (!drift.touched.has(key)) pods.set(key, pod);
        for (const key of drift.touched) {
          const pod = source.get(key);
          if (pod && classify(pod) === 'notInjected') pods.set(key, pod);
        }
      } else {
        for (const pod of source.list()) if (classify(pod) === 'notInjected') pods.set(keyOf(pod), pod);
      }
      drifts.set(sidecarSetName, { pods, touched: new Set() });
      return [...pods.values()];
    },
  };
}
