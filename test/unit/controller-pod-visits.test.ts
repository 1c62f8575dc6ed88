// The status reconcile of one SidecarSet visits its own Pods (the injected-by index) and, for drift,
// only the Pods touched since the last reconcile; every Pod only on a rescan (docs/decisions/drift-tracker.md).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import type { Pod } from '../../src/api/core.ts';
import { ANNOTATION_INJECTED_LIST, type SidecarSet } from '../../src/api/sidecarset.ts';
import { createControllerMetrics } from '../../controllers/metrics.ts';
import type { DriftReporter } from '../../controllers/drift-report.ts';
import { createStatusReconciler } from '../../controllers/status-reconciler.ts';
import { createDriftTracker } from '../../src/status/drift-tracker.ts';
import { calculateStatus, selectPods } from '../../src/status/sidecarset-status.ts';
import { memoryClusterCaches, namespace } from '../support/memory-caches.ts';
import { recordingLogger } from './recording-logger.ts';

const visited = new Set<string>();

/** A Pod that records every read of its metadata, i.e. every time a reconcile looks at it. */
function watchedPod(name: string, app: string, injected?: string): Pod {
  const metadata = { name, namespace: 'ns', labels: { app }, annotations: injected ? { [ANNOTATION_INJECTED_LIST]: injected } : {} };
  const pod = { spec: { containers: [{ name: 'app', image: 'app:1' }] }, status: { phase: 'Running' } } as Pod;
  Object.defineProperty(pod, 'metadata', { enumerable: true, get: () => (visited.add(name), metadata) });
  return pod;
}

describe('status reconcile: Pods visited', () => {
  it('visits the Pods the SidecarSet injected and the touched ones, not the unrelated', async () => {
    const unrelated = Array.from({ length: 200 }, (_, i) => watchedPod(`other-${i}`, 'other', 'other-set'));
    const own = [watchedPod('own-0', 'web', 'mine'), watchedPod('own-1', 'web', 'mine')];
    const pods = [...unrelated, ...own, watchedPod('plain-0', 'web')];
    const sidecarSet: SidecarSet = { metadata: { name: 'mine', generation: 1, resourceVersion: '1' }, spec: { selector: { matchLabels: { app: 'web' } }, containers: [] } };
    const caches = memoryClusterCaches({ sidecarSets: [sidecarSet], namespaces: [namespace('ns')], pods });
    // The status it would write, set already: the reconcile then writes nothing (there is no apiserver).
    const revision = { latestRevision: 'rev', collisionCount: 0 };
    const statusFor = (all: Pod[]) => calculateStatus(sidecarSet, selectPods(sidecarSet, all, { namespaceLabels: () => ({}) }).matched, revision);
    caches.sidecarSets.set({ ...sidecarSet, status: statusFor(pods) });
    const reported: string[][] = [];
    const drift: DriftReporter = { report: async (_s, notInjected) => void reported.push(notInjected.map((p) => p.metadata.name ?? '').sort()), forget() {} };
    const driftTracker = createDriftTracker();
    const reconcile = createStatusReconciler({
      kubeConfig: new KubeConfig(),
      caches,
      history: { registerLatest: async () => ({ revision: { metadata: { name: 'rev' } }, collisionCount: 0 }) as never },
      drift,
      driftTracker,
      logger: recordingLogger(),
      metrics: createControllerMetrics(new Registry()),
      driftExcludedNamespaces: new Set(),
    });
    const signal = new AbortController().signal;

    await reconcile('mine', signal); // the first reconcile scans every Pod for drift
    assert.deepEqual(reported.at(-1), ['plain-0']);
    assert.ok(visited.has('other-0'), 'the first drift scan looks at every Pod');

    visited.clear();
    const late = watchedPod('plain-1', 'web');
    caches.pods.set(late);
    driftTracker.podTouched('ns/plain-1', ['mine']); // what the controller does on the Pod event
    await reconcile('mine', signal);
    assert.deepEqual(reported.at(-1), ['plain-0', 'plain-1'], 'the touched Pod joins the kept drift');
    assert.deepEqual([...visited].filter((name) => name.startsWith('other-')), [], 'no unrelated Pod visited');
    assert.ok(visited.has('own-0') && visited.has('own-1') && visited.has('plain-1'));

    driftTracker.rescanAll(); // the periodic resync
    visited.clear();
    await reconcile('mine', signal);
    assert.deepEqual(reported.at(-1), ['plain-0', 'plain-1']);
    assert.equal(visited.size, pods.length + 1);
  });
});
