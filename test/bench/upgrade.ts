// In-place upgrade benchmark on the local cluster with simulated nodes: 1,000 injected Pods bound
// to kwok Nodes (at most 100 per Node), whose kubelet simulator (test/control-plane/
// kubelet-simulator.ts) restarts a changed sidecar and reports it ready after a delay,
// `maxUnavailable: 100%`. Prints numbers, never fails on speed:
//   - Pods upgraded per second, from the SidecarSet change to every Pod updated (target >= 200/s;
//     Kruise is capped near 15-30/s by its client rate limit), and to every Pod updated and ready;
//   - API writes per Pod (target <= 2; Kruise: about 2 the first time);
//   - heap before and after the rollout (target: unchanged beyond the cache);
//   - for scale, the rate of trivial Pod patches on the same apiserver at the same concurrency.
//
//   node test/bench/upgrade.ts [pods=1000]     (needs the control-plane binaries, kwok included)
import { Registry } from 'prom-client';
import type { Pod } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { createSidecarSetController } from '../../controllers/controller.ts';
import { createUpgradeController } from '../../controllers/upgrade-controller.ts';
import { defaultSidecarSet, setHashAnnotations } from '../../src/defaulting.ts';
import { injectPod } from '../../src/injection/inject-pod.ts';
import { createWatchMetrics } from '../../src/kube/cache-metrics.ts';
import { createClusterCaches } from '../../src/kube/caches.ts';
import { MERGE_PATCH, requestJson } from '../../src/kube/kube-http.ts';
import type { Logger } from '../../src/kube/logger.ts';
import { createManager } from '../../src/kube/manager.ts';
import { isPodReady, isPodSidecarUpdated, isPodStateConsistent } from '../../src/status/pod-sidecar-state.ts';
import { waitFor } from '../control-plane/harness.ts';
import { heapAfterGc, inBatches, withBenchControlPlane } from './bench-helpers.ts';

const POD_COUNT = Number(process.argv[2] ?? 1000);
const PODS_PER_NODE = 100; // under a Node's 110-Pod capacity
/** How long a restarted container stays not ready on a simulated node. */
const READY_DELAY_MS = 200;
const PATH = '/apis/apps.kruise.io/v1alpha1/sidecarsets';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error: (obj, msg) => console.error(msg, JSON.stringify(obj)), child: () => quiet };


await withBenchControlPlane(async (cp) => {
    const kc = cp.kubeConfig;
    const operatorNamespace = await cp.createNamespace({ prefix: 'sidecarset-system' });
    const namespace = await cp.createNamespace({ prefix: 'bench' });

    const body = defaultSidecarSet({
      apiVersion: 'apps.kruise.io/v1alpha1',
      kind: 'SidecarSet',
      metadata: { name: 'bench' },
      spec: { selector: { matchLabels: { app: 'bench' } }, containers: [{ name: 'proxy', image: 'proxy:1' }], updateStrategy: { maxUnavailable: '100%' } },
    });
    const created = await requestJson<SidecarSet>(kc, { method: 'POST', path: PATH, body });
    console.log(`creating ${POD_COUNT} injected Pods...`);
    // Bound at creation (spec.nodeName) rather than scheduled: scheduling is not what is measured.
    await inBatches(Array.from({ length: POD_COUNT }, (_, i) => i), async (i) => {
      const nodeName = cp.nodeNames[i % cp.nodeNames.length];
      const pod: Pod = { metadata: { name: `pod-${i}`, namespace, labels: { app: 'bench' } }, spec: { nodeName, containers: [{ name: 'app', image: 'registry.example.com/team/app:1.2.3' }] } };
      const injected = injectPod({ pod, namespace: { name: namespace, labels: {} }, sidecarSets: [created], now: new Date(), random: Math.random }).pod;
      await requestJson(kc, { method: 'POST', path: `/api/v1/namespaces/${namespace}/pods`, body: injected });
    });

    const registry = new Registry();
    const caches = createClusterCaches(kc, operatorNamespace, quiet, createWatchMetrics(registry));
    caches.start();
    const manager = createManager({ kubeConfig: kc, namespace: operatorNamespace, logger: quiet, leaderElection: { enabled: false } });
    const statusController = createSidecarSetController({ kubeConfig: kc, namespace: operatorNamespace, caches, logger: quiet, registry, identity: manager.identity });
    manager.addLeaderRunnable('sidecarset-controller', statusController);
    manager.addLeaderRunnable('sidecarset-upgrade', createUpgradeController({ kubeConfig: kc, caches, logger: quiet, registry, identity: manager.identity }));
    manager.elect();
    const current = () => caches.sidecarSets.get('bench')!;
    const pods = () => caches.pods.list().filter((p) => p.metadata.namespace === namespace);
    await waitFor('every Pod running and counted ready', () => current()?.status?.readyPods === POD_COUNT, { timeoutMs: 300_000, intervalMs: 100 });
    // The floor: one trivial JSON patch per Pod, 16 at a time (the upgrade's write concurrency).
    const floorStart = performance.now();
    await inBatches(pods(), (p) => requestJson(kc, { method: 'PATCH', path: `/api/v1/namespaces/${namespace}/pods/${p.metadata.name}`, contentType: 'application/json-patch+json', body: [{ op: 'add', path: '/metadata/labels/floor', value: 'x' }] }), 16);
    console.log(`floor: ${POD_COUNT} trivial Pod patches, 16 at a time, while the kubelet simulator runs: ${(POD_COUNT / ((performance.now() - floorStart) / 1000)).toFixed(0)} patches/s`);
    const heapBefore = await heapAfterGc();
    const writes = async (): Promise<number> =>
      ((await registry.getMetricsAsJSON()).find((m) => m.name === 'sidecarset_upgrade_pod_writes_total')?.values ?? []).filter((v) => v.labels.result === 'written').reduce((sum, v) => sum + v.value, 0);

    // --- the rollout ---------------------------------------------------------------------------
    const next = structuredClone(current());
    next.spec.containers![0].image = 'proxy:2';
    setHashAnnotations(next);
    const t0 = performance.now();
    await requestJson(kc, { method: 'PATCH', path: `${PATH}/bench`, contentType: MERGE_PATCH, body: { metadata: { annotations: next.metadata.annotations }, spec: { containers: next.spec.containers } } });
    await waitFor('every Pod updated', () => current().metadata.annotations?.['kruise.io/sidecarset-hash'] === next.metadata.annotations!['kruise.io/sidecarset-hash'] && pods().every((p) => isPodSidecarUpdated(p, current())), { timeoutMs: 600_000, intervalMs: 20 });
    const updatedAt = performance.now();
    await waitFor('every Pod updated and ready', () => pods().every((p) => isPodSidecarUpdated(p, current()) && isPodStateConsistent(p, current()) && isPodReady(p, current())), { timeoutMs: 600_000, intervalMs: 50 });
    const readyAt = performance.now();
    // The completion records follow the readiness.
    await waitFor('completion recorded', async () => (await writes()) >= 2 * POD_COUNT, { timeoutMs: 30_000, intervalMs: 100 }).catch(() => {});
    const heapAfter = await heapAfterGc();
    const seconds = (updatedAt - t0) / 1000;
    console.log(`SidecarSet change -> ${POD_COUNT} Pods updated: ${seconds.toFixed(2)} s = ${(POD_COUNT / seconds).toFixed(0)} Pods/s (target >= 200)`);
    console.log(`SidecarSet change -> every Pod updated and ready: ${((readyAt - t0) / 1000).toFixed(2)} s (a restarted container turns ready after ${READY_DELAY_MS} ms on a simulated node)`);
    console.log(`API writes per Pod: ${((await writes()) / POD_COUNT).toFixed(2)} (target <= 2: the image patch, then one status write with the condition and upgrade state)`);
    const byResult = ((await registry.getMetricsAsJSON()).find((m) => m.name === 'sidecarset_upgrade_pod_writes_total')?.values ?? []).map((v) => `${v.labels.kind}/${v.labels.result}=${v.value}`);
    console.log(`  Pod writes by kind/result: ${byResult.join(', ')}`);
    console.log(`heap: ${(heapBefore / 1048576).toFixed(1)} MiB before the rollout, ${(heapAfter / 1048576).toFixed(1)} MiB after (${((heapAfter - heapBefore) / 1024).toFixed(0)} KiB difference)`);
    await manager.stop();
    await caches.stop();
}, { nodes: Math.ceil(POD_COUNT / PODS_PER_NODE), containerReadyDelayMs: READY_DELAY_MS });
