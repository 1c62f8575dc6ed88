// The in-place upgrade controller, a LeaderRunnable of the manager next to the SidecarSet
// controller: Pod and SidecarSet events -> its own work queue -> the upgrade reconciler. A new term
// begins with a fresh list of the Pods, so the previous leader's last writes are seen before any
// budget is spent.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { Pod } from '../src/api/core.ts';
import type { SidecarSet } from '../src/api/sidecarset.ts';
import { podChanged, sidecarSetChanged } from '../src/event-mapping.ts';
import type { ControllerCaches } from '../src/kube/caches.ts';
import { errorFields, type Logger } from '../src/kube/logger.ts';
import type { LeaderRunnable } from '../src/kube/manager.ts';
import { injectedSidecarSets } from '../src/pod-annotations.ts';
import { createEventRecorder } from './events.ts';
import { createControllerMetrics } from './metrics.ts';
import { createUpgradeReconciler } from './upgrade-reconciler.ts';
import { createWorkQueue, type WorkQueue } from './work-queue.ts';

export interface UpgradeControllerOptions {
  kubeConfig: KubeConfig;
  caches: ControllerCaches;
  logger: Logger;
  registry: Registry;
  /** The reporting instance of its Events. */
  identity: string;
  /** Concurrent SidecarSet reconciles. Default 3. */
  workers?: number;
  /** Every SidecarSet is looked at again this often (stall deadlines, lost events). Default 1 min. */
  resyncIntervalMs?: number;
}

export function createUpgradeController(options: UpgradeControllerOptions): LeaderRunnable {
  const log = options.logger.child({ component: 'sidecarset-upgrade' });
  const metrics = createControllerMetrics(options.registry);
  const { caches } = options;
  const reconcile = createUpgradeReconciler({ kubeConfig: options.kubeConfig, caches, recordEvent: createEventRecorder(options.kubeConfig, options.identity), logger: log, metrics });

  let queue: WorkQueue | undefined;
  const enqueue = (names: Iterable<string>): void => {
    if (!queue) return;
    for (const name of names) if (name) queue.add(name);
  };
  const enqueueAll = (): void => enqueue(caches.sidecarSets.list().map((s: SidecarSet) => s.metadata.name ?? ''));
  // Only injected Pods are upgraded: the injected-list names every SidecarSet a Pod event concerns.
  const onPod = (pod: Pod, old?: Pod): void => {
    if (queue && (!old || podChanged(pod, old))) enqueue(new Set([...injectedSidecarSets(pod), ...injectedSidecarSets(old)]));
  };
  const onSidecarSet = (sidecarSet: SidecarSet, old?: SidecarSet): void => {
    // Status writes matter too: the upgrade waits for the status to observe the generation.
    if (!old || sidecarSetChanged(sidecarSet, old) || sidecarSet.status?.observedGeneration !== old.status?.observedGeneration) enqueue([sidecarSet.metadata.name ?? '']);
  };
  for (const event of ['add', 'update', 'delete'] as const) {
    caches.pods.on(event, onPod);
    caches.sidecarSets.on(event, onSidecarSet);
  }

  let session: AbortController | undefined;
  let resync: NodeJS.Timeout | undefined;
  let draining: Promise<void> = Promise.resolve();

  return {
    startLeading() {
      const current = new AbortController();
      session = current;
      void (async () => {
        await draining;
        await Promise.all([caches.pods, caches.sidecarSets, caches.namespaces].map((cache) => cache.waitForSync(current.signal)));
        await caches.pods.refresh(current.signal);
        if (current.signal.aborted) return;
        queue = createWorkQueue({ handler: reconcile, logger: log, workers: options.workers });
        enqueueAll();
        resync = setInterval(enqueueAll, options.resyncIntervalMs ?? 60_000);
        resync.unref();
        log.info({ sidecarSets: caches.sidecarSets.list().length }, 'upgrading');
      })().catch((err: unknown) => {
        if (!current.signal.aborted) log.error(errorFields(err), 'failed to start upgrading');
      });
    },
    stopLeading() {
      session?.abort();
      session = undefined;
      clearInterval(resync);
      const stopping = queue;
      queue = undefined;
      draining = stopping ? stopping.shutdown({ drain: false }) : Promise.resolve();
      return draining;
    },
  };
}
