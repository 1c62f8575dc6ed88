// The reconcile of one SidecarSet (docs/behaviour/controller.md): read it and the Pods from the
// caches, register the latest ControllerRevision, compute the status and write it through the
// status subresource only when it differs, then report drift. Pod events only queue names, so
// writes scale with SidecarSets whose numbers changed, not with Pod events.
import type { KubeConfig } from '@kubernetes/client-node';
import { API_VERSION, PLURAL, type SidecarSet, type SidecarSetStatus } from '../src/api/sidecarset.ts';
import type { ControllerCaches } from '../src/kube/caches.ts';
import type { DriftReporter } from './drift-report.ts';
import { requestJson, statusCodeOf } from '../src/kube/kube-http.ts';
import type { Logger } from '../src/kube/logger.ts';
import type { ControllerMetrics } from './metrics.ts';
import type { RevisionHistory } from './revision-history.ts';
import type { DriftTracker } from '../src/status/drift-tracker.ts';
import { calculateStatus, podClassifier, statusNeedsWrite } from '../src/status/sidecarset-status.ts';
import type { KeyHandler } from './work-queue.ts';

export interface StatusReconcilerOptions {
  kubeConfig: KubeConfig;
  caches: ControllerCaches;
  history: RevisionHistory;
  drift: DriftReporter;
  /** Drift between reconciles; the controller feeds it Pod, SidecarSet and Namespace events. */
  driftTracker: DriftTracker;
  logger: Logger;
  metrics: ControllerMetrics;
  driftExcludedNamespaces: ReadonlySet<string>;
}

const sidecarSetPath = (name: string): string => `/apis/${API_VERSION}/${PLURAL}/${encodeURIComponent(name)}`;
const MAX_CONFLICT_RETRIES = 5;

export function createStatusReconciler(options: StatusReconcilerOptions): KeyHandler {
  const { caches, metrics, logger } = options;
  const { kubeConfig } = options;
  // Our last write per SidecarSet, until the cache shows an object other than the one we wrote
  // over: reconciles that run before the watch delivers our own write then compare against (and
  // PUT with the resourceVersion of) what we wrote, instead of conflicting with ourselves.
  const written = new Map<string, { over: string | undefined; object: SidecarSet }>();

  const current = (cached: SidecarSet): SidecarSet => {
    const name = cached.metadata.name ?? '';
    const mine = written.get(name);
    if (mine && mine.over === cached.metadata.resourceVersion) return mine.object;
    written.delete(name);
    return cached;
  };

  /** PUT the status subresource; on 409 re-read and retry while the generation is the one computed for. */
  async function writeStatus(sidecarSet: SidecarSet, status: SidecarSetStatus, cachedVersion: string | undefined, signal: AbortSignal): Promise<void> {
    const name = sidecarSet.metadata.name ?? '';
    let base = sidecarSet;
    for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
      if (signal.aborted) return;
      try {
        const object = await requestJson<SidecarSet>(kubeConfig, { method: 'PUT', path: `${sidecarSetPath(name)}/status`, body: { ...base, status }, signal });
        written.set(name, { over: cachedVersion, object });
        metrics.statusWrites.inc({ result: 'written' });
        logger.info({ sidecarSet: name, status }, 'status updated');
        return;
      } catch (err) {
        const code = statusCodeOf(err);
        if (code === 404) return; // deleted meanwhile: nothing to report on
        if (code !== 409) {
          metrics.statusWrites.inc({ result: 'error' });
          throw err;
        }
        metrics.statusWrites.inc({ result: 'conflict' });
      }
      let fresh: SidecarSet;
      try {
        fresh = await requestJson<SidecarSet>(kubeConfig, { path: sidecarSetPath(name), signal });
      } catch (err) {
        if (statusCodeOf(err) === 404) return;
        throw err;
      }
      // A new generation brings its own update event and reconcile; an equal status needs no write.
      if (fresh.metadata.generation !== sidecarSet.metadata.generation || !statusNeedsWrite(fresh.status, status)) return;
      base = fresh;
    }
    throw new Error(`status of SidecarSet ${name} kept conflicting after ${MAX_CONFLICT_RETRIES} retries`);
  }

  const classifierFor = (sidecarSet: SidecarSet) =>
    podClassifier(sidecarSet, {
      namespaceLabels: (namespace) => caches.namespaces.get(namespace)?.metadata.labels,
      driftExcludedNamespaces: options.driftExcludedNamespaces,
    });

  return async (name, signal) => {
    const stopTimer = metrics.reconcileDuration.startTimer();
    let result = 'success';
    try {
      const cached = caches.sidecarSets.get(name);
      if (!cached) {
        result = 'notfound';
        written.delete(name);
        options.drift.forget(name);
        options.driftTracker.rescan([name]);
        return;
      }
      const sidecarSet = current(cached);
      const classify = classifierFor(sidecarSet);
      // Matched Pods are injected by this SidecarSet: the index yields them without visiting the others.
      const matched = [...caches.podsByInjectedSidecarSet.injectedBy(name)].filter((pod) => classify(pod) === 'matched');
      const notInjected = options.driftTracker.notInjected(name, {
        pods: caches.pods,
        sidecarSetNames: () => caches.sidecarSets.list().map((other) => other.metadata.name ?? ''),
        candidates: (labels) => caches.sidecarSetsBySelector.candidates(labels),
        classifierOf: (other) => {
          if (other === name) return classify;
          const found = caches.sidecarSets.get(other);
          return found && classifierFor(found);
        },
      });
      if (signal.aborted) return;
      const latest = await options.history.registerLatest(sidecarSet, matched, caches.revisions.list(), signal);
      const status = calculateStatus(sidecarSet, matched, { latestRevision: latest.revision.metadata.name ?? '', collisionCount: latest.collisionCount });
      if (statusNeedsWrite(sidecarSet.status, status)) await writeStatus(sidecarSet, status, cached.metadata.resourceVersion, signal);
      if (!signal.aborted) await options.drift.report(sidecarSet, notInjected, signal);
    } catch (err) {
      if (signal.aborted) {
        result = 'aborted'; // leadership ended mid-reconcile: nothing to retry here
        return;
      }
      result = 'error';
      throw err;
    } finally {
      metrics.reconciles.inc({ result });
      stopTimer({ result });
    }
  };
}
