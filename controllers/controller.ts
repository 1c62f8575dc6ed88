// The SidecarSet controller: watch events -> work queue -> status reconciler, run only while this
// replica leads. The caches run on every replica (the webhooks read them); handlers only queue
// keys, and only while leading.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { Namespace, Pod } from '../src/api/core.ts';
import type { SidecarSet } from '../src/api/sidecarset.ts';
import { createClusterCaches } from '../src/kube/caches.ts';
import { createDriftReporter } from './drift-report.ts';
import { podChanged, sidecarSetChanged, sidecarSetForRevision, sidecarSetsForNamespace, sidecarSetsForPod } from '../src/event-mapping.ts';
import { createLeaderElector, type LeaderElector } from '../src/kube/leader-election.ts';
import { errorFields, type Logger } from '../src/kube/logger.ts';
import { createControllerMetrics } from './metrics.ts';
import { createRevisionHistory } from './revision-history.ts';
import { createStatusReconciler, type ReconcilerCaches } from './status-reconciler.ts';
import { createWorkQueue, type WorkQueue } from './work-queue.ts';

export interface LeaderElectionSettings {
  /** Default true; false makes this replica reconcile unconditionally (a single replica, tests). */
  enabled?: boolean;
  leaseName?: string;
  /** Default `<hostname>_<uuid>`. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  /** The operator namespace: ControllerRevisions and the Lease live there. */
  namespace: string;
  /** Shared caches (from createClusterCaches); when absent the controller creates, starts and stops its own. */
  caches?: ReconcilerCaches;
  logger: Logger;
  registry: Registry;
  /** Concurrent reconciles. Default 3. */
  workers?: number;
  leaderElection?: LeaderElectionSettings;
  /** Namespaces whose Pods never count as drift. Default kube-system and `namespace` (the webhook skips both). */
  driftExcludedNamespaces?: string[];
  /** Every SidecarSet is reconciled again this often, as a safety net. Default 10 min. */
  resyncIntervalMs?: number;
}

export interface Controller {
  stop(): Promise<void>;
  /** The caches the controller reads have listed once. */
  ready(): boolean;
  isLeader(): boolean;
}

export function startController(options: ControllerOptions): Controller {
  const log = options.logger.child({ component: 'sidecarset-controller' });
  const metrics = createControllerMetrics(options.registry);
  const ownCaches = options.caches ? undefined : createClusterCaches(options.kubeConfig, options.namespace, options.logger, metrics.watch);
  const caches: ReconcilerCaches = options.caches ?? ownCaches!;
  ownCaches?.start();
  const identity = options.leaderElection?.identity ?? `${hostname()}_${randomUUID()}`;

  const reconcile = createStatusReconciler({
    kubeConfig: options.kubeConfig,
    caches,
    history: createRevisionHistory(options.kubeConfig, options.namespace, log),
    drift: createDriftReporter({ kubeConfig: options.kubeConfig, logger: log, metrics, identity }),
    logger: log,
    metrics,
    driftExcludedNamespaces: new Set(options.driftExcludedNamespaces ?? ['kube-system', options.namespace]),
  });

  // --- events -> keys (no-ops unless leading) ---------------------------------------------------
  let queue: WorkQueue | undefined;
  const enqueue = (names: Iterable<string>): void => {
    if (!queue) return;
    for (const name of names) queue.add(name);
  };
  const enqueueAll = (): void => enqueue(caches.sidecarSets.list().map((s: SidecarSet) => s.metadata.name ?? ''));
  const namespaceLabels = (namespace: string) => caches.namespaces.get(namespace)?.metadata.labels;
  // `old` comes with updates only. Every replica's caches see every Pod event: check leadership
  // before comparing or mapping anything.
  const onPod = (pod: Pod, old?: Pod): void => {
    if (queue && (!old || podChanged(pod, old))) enqueue(sidecarSetsForPod(pod, old, caches.sidecarSets.list(), namespaceLabels));
  };
  const onSidecarSet = (sidecarSet: SidecarSet, old?: SidecarSet): void => {
    if (!old || sidecarSetChanged(sidecarSet, old)) enqueue([sidecarSet.metadata.name ?? '']);
  };
  const onNamespace = (namespace: Namespace, old?: Namespace): void => {
    if (queue) enqueue(sidecarSetsForNamespace(namespace, old, caches.sidecarSets.list()));
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

  const electionEnabled = options.leaderElection?.enabled !== false;
  const elector: LeaderElector | undefined = electionEnabled
    ? createLeaderElector({
        kubeConfig: options.kubeConfig,
        namespace: options.namespace,
        name: options.leaderElection?.leaseName,
        identity,
        leaseDurationMs: options.leaderElection?.leaseDurationMs,
        renewDeadlineMs: options.leaderElection?.renewDeadlineMs,
        retryPeriodMs: options.leaderElection?.retryPeriodMs,
        logger: log,
        onStartedLeading: startLeading,
        onStoppedLeading: stopLeading,
      })
    : undefined;
  if (elector) elector.start();
  else startLeading();
  log.info({ identity, leaderElection: electionEnabled, workers: options.workers ?? 3 }, 'controller started');

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        if (elector) await elector.stop(); // stops reconciling, waits for work in flight, then frees the lease
        else await stopLeading();
        await draining;
        await ownCaches?.stop();
        log.info({}, 'controller stopped');
      })();
      return stopped;
    },
    ready: () => cachesOfController.every((cache) => cache.synced()),
    isLeader: () => (elector ? elector.isLeader() : stopped === undefined),
  };
}
