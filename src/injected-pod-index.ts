// Pods by the SidecarSets that injected them (`kruise.io/sidecarset-injected-list`), so the
// reconcile of one SidecarSet visits its own Pods, not every Pod of the cluster. Pure: fed by the
// Pod cache's events, keyed by 'namespace/name' so an update or a relist's delete replaces exactly
// the entries the previous version of the Pod left.
import type { Pod } from './api/core.ts';
import { injectedSidecarSets } from './pod-annotations.ts';

export interface InjectedPodIndex {
  /** Adds the Pod, or replaces the one cached under the same key. */
  upsert(pod: Pod): void;
  remove(pod: Pod): void;
  /** The Pods whose injected-list names this SidecarSet. */
  injectedBy(sidecarSetName: string): Iterable<Pod>;
}

export function createInjectedPodIndex(): InjectedPodIndex {
  const bySidecarSet = new Map<string, Map<string, Pod>>();
  // The version filed, per Pod: its injected-list says where to unfile it. Kept instead of the
  // parsed names, which would cost an array and strings per Pod.
  const filed = new Map<string, Pod>();
  const keyOf = (pod: Pod): string => `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;

  const remove = (pod: Pod): void => {
    const key = keyOf(pod);
    const previous = filed.get(key);
    if (!previous) return;
    for (const name of injectedSidecarSets(previous)) {
      const pods = bySidecarSet.get(name);
      pods?.delete(key);
      if (pods?.size === 0) bySidecarSet.delete(name);
    }
    filed.delete(key);
  };

  return {
    upsert(pod) {
      remove(pod);
      const names = injectedSidecarSets(pod);
      if (names.length === 0) return;
      const key = keyOf(pod);
      filed.set(key, pod);
      for (const name of names) {
        let pods = bySidecarSet.get(name);
        if (!pods) bySidecarSet.set(name, (pods = new Map()));
        pods.set(key, pod);
      }
    },
    remove,
    injectedBy: (sidecarSetName) => bySidecarSet.get(sidecarSetName)?.values() ?? [],
  };
}
