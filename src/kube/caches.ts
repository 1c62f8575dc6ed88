// The watches of one operator process. `sidecarset serve` creates them once and hands them to
// both the webhook server and the controller, so every replica keeps exactly one watch per
// resource whether or not it leads.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ControllerRevision, Namespace, ObjectMeta, Pod } from '../api/core.ts';
import { toModel } from '../api/conversion.ts';
import { apiVersionOf, GROUP, LABEL_SIDECARSET_NAME, PLURAL, STORAGE_VERSION, type SidecarSet } from '../api/sidecarset.ts';
import type { Logger } from './logger.ts';
import type { WatchMetrics } from './cache-metrics.ts';
import { createInjectedPodIndex, type InjectedPodIndex } from '../injected-pod-index.ts';
import { projectPod } from '../pod-projection.ts';
import { createSidecarSetSelectorIndex, type SidecarSetSelectorIndex } from '../sidecarset-selector-index.ts';
import { DEFAULT_WHITELIST_CONFIGMAP } from '../validation/patch-metadata-whitelist.ts';
import { createWatchCache, type WatchCache } from './watch-cache.ts';

export interface ConfigMap {
  metadata: ObjectMeta;
  data?: Record<string, string>;
}

export interface ClusterCaches {
  /** Every Pod of the cluster, projected (see pod-projection.ts). */
  pods: WatchCache<Pod>;
  /** The Pods of `pods` by the SidecarSets that injected them, kept from its events (relists included). */
  podsByInjectedSidecarSet: InjectedPodIndex;
  sidecarSets: WatchCache<SidecarSet>;
  /** The SidecarSets of `sidecarSets` by a label their selectors require, kept from its events. */
  sidecarSetsBySelector: SidecarSetSelectorIndex;
  /** Namespace names and labels, for namespaceSelector. */
  namespaces: WatchCache<Namespace>;
  /** SidecarSet ControllerRevisions in the operator namespace. */
  revisions: WatchCache<ControllerRevision>;
  /** The patchPodMetadata whitelist ConfigMap (zero or one object), keyed '<namespace>/<name>'. */
  whitelist: WatchCache<ConfigMap>;
  start(): void;
  stop(): Promise<void>;
  synced(): boolean;
  waitForSync(signal?: AbortSignal): Promise<void>;
}

/** The caches the controllers read. */
export type ControllerCaches = Pick<ClusterCaches, 'pods' | 'podsByInjectedSidecarSet' | 'sidecarSets' | 'sidecarSetsBySelector' | 'namespaces' | 'revisions'>;

export interface ClusterCacheOptions {
  /** Name of the whitelist ConfigMap in the operator namespace. Default DEFAULT_WHITELIST_CONFIGMAP. */
  whitelistConfigMapName?: string;
  inactivityTimeoutMs?: number;
  staleAfterMs?: number;
}

/** What the SidecarSet watch reports while the CRD is not installed. */
export const CRD_MISSING = `the SidecarSet CRD is not installed (${PLURAL}.${GROUP} answers 404): install it with \`npx sidecarset crd | kubectl apply -f -\` (or kubectl apply -f deploy/crds/); nothing is injected until then`;

export function createClusterCaches(
  kubeConfig: KubeConfig,
  namespace: string,
  logger: Logger,
  metrics?: WatchMetrics,
  options: ClusterCacheOptions = {},
): ClusterCaches {
  const common = { kubeConfig, logger, metrics, inactivityTimeoutMs: options.inactivityTimeoutMs, staleAfterMs: options.staleAfterMs };
  const ns = encodeURIComponent(namespace);
  const pods = createWatchCache<Pod>({ ...common, name: 'pods', path: '/api/v1/pods', project: projectPod });
  const podsByInjectedSidecarSet = indexInjectedPods(pods);
  // Read in the storage version, so that only objects still stored as v1alpha1 go through `/convert`,
  // and kept in the operator's model.
  const sidecarSets = createWatchCache<SidecarSet>({
    ...common,
    name: 'sidecarsets',
    path: `/apis/${apiVersionOf(STORAGE_VERSION)}/${PLURAL}`,
    project: (object) => toModel(withoutManagedFields(object)),
    notFound: CRD_MISSING,
  });
  const sidecarSetsBySelector = indexSidecarSetsBySelector(sidecarSets);
  const namespaces = createWatchCache<Namespace>({ ...common, name: 'namespaces', path: '/api/v1/namespaces', project: projectNamespace });
  const revisions = createWatchCache<ControllerRevision>({
    ...common,
    name: 'controllerrevisions',
    path: `/apis/apps/v1/namespaces/${ns}/controllerrevisions`,
    labelSelector: LABEL_SIDECARSET_NAME,
    project: withoutManagedFields,
  });
  const whitelist = createWatchCache<ConfigMap>({
    ...common,
    name: 'whitelist-configmap',
    path: `/api/v1/namespaces/${ns}/configmaps`,
    fieldSelector: `metadata.name=${options.whitelistConfigMapName ?? DEFAULT_WHITELIST_CONFIGMAP}`,
    project: withoutManagedFields,
  });
  const all = [pods, sidecarSets, namespaces, revisions, whitelist];
  return {
    pods,
    podsByInjectedSidecarSet,
    sidecarSets,
    sidecarSetsBySelector,
    namespaces,
    revisions,
    whitelist,
    start: () => all.forEach((cache) => cache.start()),
    stop: async () => {
      await Promise.all(all.map((cache) => cache.stop()));
    },
    synced: () => all.every((cache) => cache.synced()),
    waitForSync: async (signal) => {
      await Promise.all(all.map((cache) => cache.waitForSync(signal)));
    },
  };
}

/** An index of the Pods `pods` holds, kept from its events: a relist's deletes and updates replace entries as watch events do. */
export function indexInjectedPods(pods: WatchCache<Pod>): InjectedPodIndex {
  return fedBy(pods, createInjectedPodIndex());
}

/** An index of the SidecarSets `sidecarSets` holds by required label, kept from its events. */
export function indexSidecarSetsBySelector(sidecarSets: WatchCache<SidecarSet>): SidecarSetSelectorIndex {
  return fedBy(sidecarSets, createSidecarSetSelectorIndex());
}

/** Fills the index with what the cache holds, then keeps it in step with the cache's events. */
function fedBy<T, I extends { upsert(object: T): void; remove(object: T): void }>(cache: WatchCache<T>, index: I): I {
  for (const object of cache.list()) index.upsert(object);
  cache.on('add', index.upsert);
  cache.on('update', index.upsert);
  cache.on('delete', index.remove);
  return index;
}

function withoutManagedFields<T>(raw: any): T {
  if (raw?.metadata) delete raw.metadata.managedFields;
  return raw as T;
}

function projectNamespace(raw: any): Namespace {
  const { name, uid, resourceVersion, labels } = raw?.metadata ?? {};
  return { metadata: { name, uid, resourceVersion, labels } };
}
