// The SidecarSet controller, one LeaderRunnable of the manager: watch events -> work queue ->
// status reconciler. The caches run on every replica (the webhooks read them); handlers only
// queue keys, and only while this replica leads. A reconcile that throws is contained by the work
// queue (logged, retried with backoff) and counted by result; an exception that is not an API or
// network error (a bug) is counted apart as well, as controller-runtime counts panics.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { Namespace, Pod } from '../src/api/core.ts';
import type { SidecarSet } from '../src/api/sidecarset.ts';
import { podChanged, sidecarSetChanged, sidecarSetForRevision, sidecarSetsForNamespace, sidecarSetsForPod } from '../src/event-mapping.ts';
import type { ControllerCaches } from '../src/kube/caches.ts';
import { objectKey } from '../src/kube/watch-cache.ts';
import { createDriftTracker } from '../src/status/drift-tracker.ts';
import { KubeApiError, KubeTimeoutError } from '../src/kube/kube-http.ts';
import { errorFields, type Logger } from '../src/kube/logger.ts';
import type { LeaderRunnable } from '../src/kube/manager.ts';
import { createDriftReporter } from './drift-report.ts';
import { createEventRecorder } from './events.ts';
import { createControllerMetrics } from './metrics.ts';
import { createRevisionHistory } from './revision-history.ts';
import { createStatusReconciler } from './status-reconciler.ts';
import { createWorkQueue, type KeyHandler, type WorkQueue } from './work-queue.ts';

export interface SidecarSetControllerOptions {
  kubeConfig: KubeConfig;
  /** The operator namespace: ControllerRevisions live there. */
  namespace: string;
  caches: ControllerCaches;
  logger: Logger;
  registry: Registry;
  /** This replica's identity (the manager's): the reporting instance of drift Events. */
  identity: string;
  /** Concurrent reconciles. Default 3. */
  workers?: number;
  /** Namespaces whose Pods never count as drift. Default kube-system and `namespace` (the webhook skips both). */
  driftExcludedNamespaces?: string[];
  /** Every SidecarSet is reconciled again this often, as a safety net. Default 10 min. */
  resyncIntervalMs?: number;
}

export interface SidecarSetController extends LeaderRunnable {
  /** The caches the controller reads have listed once. */
  ready(): boolean;
}

/** An exception that is neither an answer of the apiserver nor a failure to reach it: a bug. */
const isUnexpected = (error: unknown): boolean =>
  !(error instanceof KubeApiError || error instanceof KubeTimeoutError || (error as NodeJS.ErrnoException)?.code !== undefined || (error as Error)?.name === 'AbortError');

export function createSidecarSetController(options: SidecarSetControllerOptions): SidecarSetController {
  const log = options.logger.child({ component: 'sidecarset-controller' });
  const metrics = createControllerMetrics(options.registry);
  const { caches } = options;

  const driftTracker = createDriftTracker();
  const reconcileStatus = createStatusReconciler({
    kubeConfig: options.kubeConfig,
    caches,
    history: createRevisionHistory(options.kubeConfig, options.namespace, log),
    drift: createDriftReporter({ recordEvent: createEventRecorder(options.kubeConfig, options.identity), logger: log, metrics }),
    driftTracker,
    logger: log,
    metrics,
    driftExcludedNamespaces: new Set(options.driftExcludedNamespaces ?? ['kube-system', options.namespace]),
  });
  const reconcile: KeyHandler = async (key, signal) => {
    try {
      return await reconcileStatus(key, signal);
    } catch (error) {
      if (!signal.aborted && isUnexpected(error)) {
        metrics.reconcilePanics.inc();
        log.error({ sidecarSet: key, ...errorFields(error), stack: (error as Error)?.stack }, 'reconcile threw an unexpected exception');
      }
      throw error;
    }
  };

  // --- events -> keys (no-ops unless leading) ---------------------------------------------------
  let queue: WorkQueue | undefined;
  const enqueue = (names: Iterable<string>): void => {
    if (!queue) return;
    for (const name of names) queue.add(name);
  };
  // A new term and the periodic resync scan every Pod for drift: events missed while not leading count again.
  const enqueueAll = (): void => {
    driftTracker.rescanAll();
    enqueue(caches.sidecarSets.list().map((s: SidecarSet) => s.metadata.name ?? ''));
  };
  const namespaceLabels = (namespace: string) => caches.namespaces.get(namespace)?.metadata.labels;
  // The SidecarSets that may select the Pod's new or old labels, not all of them: with 1,000
  // SidecarSets, trying each on every Pod event would cost 1,000 selector tests per event.
  const candidateSidecarSets = (pod: Pod, old?: Pod): SidecarSet[] => {
    const names = new Set(caches.sidecarSetsBySelector.candidates(pod.metadata.labels));
    if (old) for (const name of caches.sidecarSetsBySelector.candidates(old.metadata.labels)) names.add(name);
    return [...names].flatMap((name) => caches.sidecarSets.get(name) ?? []);
  };
  // `old` comes with updates only. Every replica's caches see every Pod event: check leadership
  // before comparing or mapping anything.
  const onPod = (pod: Pod, old?: Pod): void => {
    if (!queue || (old && !podChanged(pod, old))) return;
    const names = sidecarSetsForPod(pod, old, candidateSidecarSets(pod, old), namespaceLabels);
    driftTracker.podTouched(objectKey(pod), names);
    enqueue(names);
  };
  const onSidecarSet = (sidecarSet: SidecarSet, old?: SidecarSet): void => {
    if (old && !sidecarSetChanged(sidecarSet, old)) return;
    const names = [sidecarSet.metadata.name ?? ''];
    driftTracker.rescan(names); // its selectors may have changed
    enqueue(names);
  };
  const onNamespace = (namespace: Namespace, old?: Namespace): void => {
    if (!queue) return;
    const names = sidecarSetsForNamespace(namespace, old, caches.sidecarSets.list());
    driftTracker.rescan(names); // its labels may select or drop every Pod in it
    enqueue(names);
  };
  for (const event of ['add', 'update', 'delete'] as const) {
    caches.pods.on(event, onPod);
    caches.sidecarSets.on(event, onSidecarSet);
    caches.namespaces.on(event, onNamespace);
  }
  caches.revisions.on('delete', (revision) => {
    const owner = sidecarSetForRevision(revision);
    if (owner) enqueue([owner]); // recreated at once if it was the latest
  });

  // --- leading ----------------------------------------------------------------------------------
  let session: AbortController | undefined;
  let resync: NodeJS.Timeout | undefined;
  let draining: Promise<void> = Promise.resolve();
  const cachesOfController = [caches.pods, caches.sidecarSets, caches.namespaces, caches.revisions];

  const startLeading = (): void => {
    const current = new AbortController();
    session = current;
    metrics.leader.set(1);
    void (async () => {
      await draining; // the previous term's reconciles have finished
      await Promise.all(cachesOfController.map((cache) => cache.waitForSync(current.signal)));
      if (current.signal.aborted) return;
      queue = createWorkQueue({ handler: reconcile, logger: log, workers: options.workers, onDepth: (depth) => metrics.queueDepth.set(depth) });
      enqueueAll();
      resync = setInterval(enqueueAll, options.resyncIntervalMs ?? 600_000);
      resync.unref();
      log.info({ sidecarSets: caches.sidecarSets.list().length, pods: caches.pods.list().length }, 'reconciling');
    })().catch((err: unknown) => {
      if (!current.signal.aborted) log.error(errorFields(err), 'failed to start reconciling');
    });
  };

  /** Stops reconciling at once: queued keys are dropped, in-flight reconciles see their signal aborted. */
  const stopLeading = (): Promise<void> => {
    metrics.leader.set(0);
    session?.abort();
    session = undefined;
    clearInterval(resync);
    const stopping = queue;
    queue = undefined;
    metrics.queueDepth.set(0);
    draining = stopping ? stopping.shutdown({ drain: false }) : Promise.resolve();
    return draining;
  };

  log.info({ identity: options.identity, workers: options.workers ?? 3 }, 'controller created');
  return {
    startLeading,
    stopLeading,
    ready: () => cachesOfController.every((cache) => cache.synced()),
  };
}
