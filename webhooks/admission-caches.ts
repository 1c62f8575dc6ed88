// The cached cluster state the webhooks read: never an API call per admission request. The
// operator passes the shared watch caches (src/kube/caches.ts); tests and benchmarks pass
// in-memory ones of the same shape.
import type { ControllerRevision, Namespace } from '../src/api/core.ts';
import type { InjectedPodIndex } from '../src/injected-pod-index.ts';
import type { SidecarSet } from '../src/api/sidecarset.ts';
import type { ConfigMap } from '../src/kube/caches.ts';
import type { WatchCache } from '../src/kube/watch-cache.ts';
import { notReady, type Denied } from './admission-outcome.ts';

export type CacheReader<T> = Pick<WatchCache<T>, 'list' | 'get' | 'synced' | 'stale' | 'state'>;

export interface AdmissionCaches {
  sidecarSets: CacheReader<SidecarSet>;
  namespaces: CacheReader<Namespace>;
  revisions: CacheReader<ControllerRevision>;
  /** Zero or one ConfigMap: the patchPodMetadata whitelist. */
  whitelist: CacheReader<ConfigMap>;
  /** Pods by injecting SidecarSet, to say how many keep their sidecars when a change cannot reach them in place. */
  podsByInjectedSidecarSet?: Pick<InjectedPodIndex, 'injectedBy'>;
}

/**
 * The "not yet ready" denial naming the given caches that have not completed their first list, or
 * that are stale (nothing heard from the apiserver for longer than their limit: a SidecarSet created
 * meanwhile would be missed); undefined when all are fresh.
 */
export function notReadyDenial(caches: Partial<Omit<AdmissionCaches, 'podsByInjectedSidecarSet'>>): Denied | undefined {
  const entries = Object.entries(caches);
  const waiting = entries.filter(([, cache]) => !cache.synced()).map(([name]) => name);
  if (waiting.length > 0) return notReady(`caches not synced: ${waiting.join(', ')}`);
  const stale = entries.filter(([, cache]) => cache.stale()).map(([name]) => name);
  return stale.length > 0 ? notReady(`caches stale (the apiserver has not been heard from): ${stale.join(', ')}`) : undefined;
}
