// Controller benchmark on a real kube-apiserver: 10,000 Pods across 100 SidecarSets.
// Prints numbers, never fails on speed:
//   - heap bytes per Pod: the operator's (its caches, the Pod index and the controller's state,
//     measured around the controller's start) and a cache of whole Pods (for comparison);
//   - time from controller start to every status right;
//   - time from the last Pod event (a status patch making a Pod Ready) to every status right;
//   - how many status writes that took.
//
//   node test/bench/controller.ts [pods=10000] [sidecarSets=100] [workers=3]     (needs the control-plane binaries)
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import type { Pod } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { injectPod } from '../../src/injection/inject-pod.ts';
import { createClusterCaches } from '../../src/kube/caches.ts';
import { startController } from '../support/standalone-controller.ts';
import { MERGE_PATCH, requestJson } from '../../src/kube/kube-http.ts';
import { createControllerMetrics } from '../../controllers/metrics.ts';
import type { Logger } from '../../src/kube/logger.ts';
import { createWatchCache, type WatchCache } from '../../src/kube/watch-cache.ts';
import { waitFor } from '../control-plane/harness.ts';
import { heapAfterGc, inBatches, withBenchControlPlane } from './bench-helpers.ts';

const POD_COUNT = Number(process.argv[2] ?? 10_000);
const SIDECARSET_COUNT = Number(process.argv[3] ?? 100);
const WORKERS = Number(process.argv[4] ?? 3);
const NAMESPACES = 10;
const GVR = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'sidecarsets' };


/** Status writes, by time: the controller logs each one. */
const writeTimes: number[] = [];
const quiet: Logger = {
  debug() {},
  info: (_obj, msg) => {
    if (msg === 'status updated') writeTimes.push(performance.now());
  },
  warn() {},
  error: (obj, msg) => console.error(msg, JSON.stringify(obj)),
  child: () => quiet,
};



/**
 * Heap a synced cache of whole Pods holds, per Pod: heap after a full GC with the cache alive minus
 * before it existed. The first sample is discarded (compiled code, pools).
 */
async function sampleWholePodBytes(kubeConfig: KubeConfig): Promise<number> {
  const before = await heapAfterGc();
  const cache: WatchCache<unknown> = createWatchCache({ name: 'bench-pods', kubeConfig, path: '/api/v1/pods', logger: quiet });
  cache.start();
  await cache.waitForSync();
  await cache.stop(); // the contents stay; only the watch ends
  const after = await heapAfterGc();
  return (after - before) / cache.list().length;
}

async function wholePodBytes(kubeConfig: KubeConfig): Promise<number> {
  await sampleWholePodBytes(kubeConfig);
  return (await sampleWholePodBytes(kubeConfig) + await sampleWholePodBytes(kubeConfig)) / 2;
}

await withBenchControlPlane(async (cp) => {
    const kc = cp.kubeConfig;
    const objects = kc.makeApiClient(CustomObjectsApi);
    const operatorNamespace = await cp.createNamespace({ prefix: 'sidecarset-system' });
    const namespaces = await Promise.all(Array.from({ length: NAMESPACES }, (_, i) => cp.createNamespace({ prefix: `bench-${i}` })));

    console.log(`creating ${SIDECARSET_COUNT} SidecarSets and ${POD_COUNT} injected Pods...`);
    const sidecarSets: SidecarSet[] = [];
    for (let i = 0; i < SIDECARSET_COUNT; i++) {
      const sidecarSet = defaultSidecarSet({
        apiVersion: 'apps.kruise.io/v1alpha1',
        kind: 'SidecarSet',
        metadata: { name: `bench-${i}` },
        spec: {
          selector: { matchLabels: { app: `app-${i}` } },
          containers: [{ name: 'proxy', image: `proxy:${i}`, env: [{ name: 'LOG_LEVEL', value: 'info' }], resources: { limits: { cpu: '100m', memory: '64Mi' } } }],
        },
      });
      sidecarSets.push((await objects.createClusterCustomObject({ ...GVR, body: sidecarSet })) as SidecarSet);
    }
    const t0 = performance.now();
    const pods = Array.from({ length: POD_COUNT }, (_, i) => ({ i, sidecarSet: sidecarSets[i % SIDECARSET_COUNT], namespace: namespaces[i % NAMESPACES] }));
    await inBatches(pods, async ({ i, sidecarSet, namespace }) => {
      const pod: Pod = {
        metadata: { name: `pod-${i}`, namespace, labels: { app: `app-${i % SIDECARSET_COUNT}`, 'pod-template-hash': 'abcdef1234', tier: 'backend' } },
        spec: {
          containers: [{
            name: 'app',
            image: 'registry.example.com/team/app:1.2.3',
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
            env: [{ name: 'MODE', value: 'production' }, { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
            readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
          }],
        },
      };
      const injected = injectPod({ pod, namespace: { name: namespace, labels: {} }, sidecarSets: [sidecarSet], now: new Date(), random: Math.random }).pod;
      await requestJson(kc, { method: 'POST', path: `/api/v1/namespaces/${namespace}/pods`, body: injected });
    });
    console.log(`  created in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // --- memory --------------------------------------------------------------------------------
    const whole = await wholePodBytes(kc);

    // --- initial convergence -------------------------------------------------------------------
    const registry = new Registry();
    const statuses = createWatchCache<SidecarSet>({ name: 'bench-sidecarsets', kubeConfig: kc, path: '/apis/apps.kruise.io/v1alpha1/sidecarsets', logger: quiet });
    statuses.start();
    await statuses.waitForSync();
    const allMatch = (expected: (s: SidecarSet) => boolean): boolean => statuses.list().length === SIDECARSET_COUNT && statuses.list().every(expected);
    const perSet = POD_COUNT / SIDECARSET_COUNT;
    const writes = async (): Promise<number> => (await registry.getMetricsAsJSON()).find((m) => m.name === 'sidecarset_controller_status_writes_total')?.values.find((v) => v.labels.result === 'written')?.value ?? 0;

    const heapBefore = await heapAfterGc();
    const startedAt = performance.now();
    const caches = createClusterCaches(kc, operatorNamespace, quiet, createControllerMetrics(registry).watch);
    caches.start();
    const controller = startController({ kubeConfig: kc, namespace: operatorNamespace, caches, logger: quiet, registry, workers: WORKERS, leaderElection: { enabled: false } });
    await waitFor('caches synced', () => controller.ready(), { timeoutMs: 300_000, intervalMs: 20 });
    const syncedAt = performance.now();
    await waitFor('initial status', () => allMatch((s) => s.status?.matchedPods === perSet && s.status.readyPods === 0), { timeoutMs: 300_000, intervalMs: 20 });
    console.log(
      `controller start -> caches synced ${((syncedAt - startedAt) / 1000).toFixed(2)} s -> ${SIDECARSET_COUNT} statuses right ${((performance.now() - startedAt) / 1000).toFixed(2)} s, ` +
        `${await writes()} status writes`,
    );
    const operatorBytes = (await heapAfterGc() - heapBefore) / caches.pods.list().length;
    console.log(`heap per Pod: ${operatorBytes.toFixed(0)} bytes in the operator (caches, Pod index, controller state; target <= 1536), ${whole.toFixed(0)} bytes in a cache of whole Pods`);

    // --- convergence after a burst of Pod events -----------------------------------------------
    const writesBefore = await writes();
    let lastPatchAt = 0;
    let lastEventSeenAt = 0;
    let convergedAt = 0;
    caches.pods.on('update', () => {
      lastEventSeenAt = performance.now();
    });
    statuses.on('update', () => {
      if (!convergedAt && allMatch((s) => s.status?.readyPods === perSet)) convergedAt = performance.now();
    });
    const burstStart = performance.now();
    await inBatches(pods, async ({ i, namespace }) => {
      const now = new Date().toISOString();
      await requestJson(kc, {
        method: 'PATCH',
        path: `/api/v1/namespaces/${namespace}/pods/pod-${i}/status`,
        contentType: MERGE_PATCH,
        body: {
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
            containerStatuses: ['proxy', 'app'].map((name) => ({ name, image: 'x:1', imageID: `docker-pullable://x@sha256:${'a'.repeat(64)}`, ready: true, restartCount: 0, started: true, state: { running: { startedAt: now } } })),
          },
        },
      });
      lastPatchAt = Math.max(lastPatchAt, performance.now());
    });
    console.log(`  ${POD_COUNT} Pod status patches in ${((lastPatchAt - burstStart) / 1000).toFixed(1)} s`);
    await waitFor('converged', () => convergedAt > 0, { timeoutMs: 300_000, intervalMs: 20 });
    const reconciles = (await registry.getMetricsAsJSON()).find((m) => m.name === 'sidecarset_controller_reconcile_duration_seconds');
    const series = (suffix: string): number =>
      (reconciles?.values ?? []).filter((v) => (v as { metricName?: string }).metricName?.endsWith(suffix)).reduce((total, v) => total + v.value, 0);
    const sum = series('_sum');
    const count = series('_count') || 1;
    console.log(`last Pod event -> every status right: ${Math.max(0, convergedAt - lastPatchAt).toFixed(0)} ms after the last patch was acknowledged, ` +
      `${Math.max(0, convergedAt - lastEventSeenAt).toFixed(0)} ms after the controller's cache received it (target <= 1000)`);
    console.log(`reconciles: ${count}, mean ${((sum / count) * 1000).toFixed(1)} ms (status write included)`);
    const lateWrites = writeTimes.filter((t) => t > lastEventSeenAt);
    console.log(`  after the controller's last Pod event: ${lateWrites.length} status writes, the last one ${Math.max(0, (lateWrites.at(-1) ?? lastEventSeenAt) - lastEventSeenAt).toFixed(0)} ms later`);
    console.log(`status writes during the burst: ${(await writes()) - writesBefore} for ${POD_COUNT} Pod events across ${SIDECARSET_COUNT} SidecarSets`);

    await controller.stop();
    await caches.stop();
    await statuses.stop();
});
