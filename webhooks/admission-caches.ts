// The cached cluster state the webhooks read: never an API call per admission request. The
// operator passes the shared watch caches (src/kube/caches.ts); tests and benchmarks pass
// in-memory ones of the same shape.
import type { ControllerRevision, Namespace, Pod } from '../src/api/core.ts';
import type { SidecarSet } from '../src/api/sidecarset.ts';
import type { ConfigMap } from '../src/kube/caches.ts';
import type { WatchCache } from '../src/kube/watch-cache.ts';
import { notReady, type Denied } from './admission-outcome.ts';

export type CacheReader<T> = Pick<WatchCache<T>, 'list' | 'get' | 'synced' | 'state'>;

export interface AdmissionCaches {
  sidecarSets: CacheReader<SidecarSet>;
  namespaces: CacheReader<Namespace>;
  revisions: CacheReader<ControllerRevision>;
  /** Zero or one ConfigMap: the patchPodMetadata whitelist. */
  whitelist: CacheReader<ConfigMap>;
  /** The Pods, to say how many keep their sidecars when a SidecarSet change cannot reach them in place. */
  pods?: CacheReader<Pod>;
}

/** The "not yet ready" denial naming the given caches that have not completed their first list; undefined when all have. */
export function unsyncedDenial(caches: Partial<AdmissionCaches>): Denied | undefined {
  const waiting = Object.entries(caches)
    .filter(([, cache]) => !cache.synced())
    .map(([name]) => name);
  return waiting.length > 0 ? notReady(`caches not synced: ${waiting.join(', ')}`) : undefined;
}
