// In-memory stand-ins for the watch caches (src/kube/watch-cache.ts), fed directly by tests and
// benchmarks: same interface, no apiserver.
import type { ControllerRevision, Namespace, Pod } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { indexInjectedPods, indexSidecarSetsBySelector, type ClusterCaches, type ConfigMap } from '../../src/kube/caches.ts';
import { objectKey, type WatchCache, type WatchEventName } from '../../src/kube/watch-cache.ts';

export interface MemoryCache<T> extends WatchCache<T> {
  set(object: T): void;
  delete(key: string): void;
  setSynced(synced: boolean): void;
  setStale(stale: boolean): void;
}

type Keyed = { metadata?: { name?: string; namespace?: string } };

export function memoryCache<T extends Keyed>(items: readonly T[] = [], synced = true): MemoryCache<T> {
  const store = new Map<string, T>(items.map((item) => [objectKey(item), item]));
  const handlers: Record<WatchEventName, ((obj: T, old?: T) => void)[]> = { add: [], update: [], delete: [] };
  let isSynced = synced;
  let isStale = false;
  return {
    start() {},
    async stop() {},
    synced: () => isSynced,
    stale: () => isStale,
    waitForSync: async () => {},
    refresh: async () => {}, // the store is the truth
    list: () => [...store.values()],
    get: (key) => store.get(key),
    on: (event, handler) => void handlers[event].push(handler),
    state: () => ({ synced: isSynced, stale: isStale, restarts: 0 }),
    set(object) {
      const key = objectKey(object);
      const old = store.get(key);
      store.set(key, object);
      for (const handler of handlers[old ? 'update' : 'add']) handler(object, old);
    },
    delete(key) {
      const old = store.get(key);
      if (!old) return;
      store.delete(key);
      for (const handler of handlers.delete) handler(old);
    },
    setSynced(value) {
      isSynced = value;
    },
    setStale(value) {
      isStale = value;
    },
  };
}

export interface MemoryClusterCaches extends ClusterCaches {
  pods: MemoryCache<Pod>;
  sidecarSets: MemoryCache<SidecarSet>;
  namespaces: MemoryCache<Namespace>;
  revisions: MemoryCache<ControllerRevision>;
  whitelist: MemoryCache<ConfigMap>;
}

export function memoryClusterCaches(
  init: { sidecarSets?: SidecarSet[]; namespaces?: Namespace[]; revisions?: ControllerRevision[]; whitelist?: ConfigMap[]; pods?: Pod[] } = {},
  synced = true,
): MemoryClusterCaches {
  const parts = {
    pods: memoryCache(init.pods, synced),
    sidecarSets: memoryCache(init.sidecarSets, synced),
    namespaces: memoryCache(init.namespaces, synced),
    revisions: memoryCache(init.revisions, synced),
    whitelist: memoryCache(init.whitelist, synced),
  };
  const all = Object.values(parts);
  return {
    ...parts,
    podsByInjectedSidecarSet: indexInjectedPods(parts.pods),
    sidecarSetsBySelector: indexSidecarSetsBySelector(parts.sidecarSets),
    start() {},
    async stop() {},
    synced: () => all.every((cache) => cache.synced()),
    waitForSync: async () => {},
  };
}

/** A Namespace as the namespaces cache holds it: name and labels, the name label included as the apiserver sets it. */
export function namespace(name: string, labels: Record<string, string> = {}): Namespace {
  return { metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}
