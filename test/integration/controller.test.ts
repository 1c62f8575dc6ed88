// The SidecarSet controller against a real kube-apiserver: status from Pods, revisions, drift,
// watch recovery and leader election. It runs on a control plane of its own (the controller
// watches every SidecarSet of the cluster and would write the status of other files' objects),
// reached through a TCP proxy so the test can cut the controller's connections.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import type { Pod } from '../../src/api/core.ts';
import type { SidecarSet, SidecarSetStatus } from '../../src/api/sidecarset.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { injectPod } from '../../src/injection/inject-pod.ts';
import { startController, type Controller } from '../support/standalone-controller.ts';
import { SKIP_REASON, binariesAvailable, startControlPlane, waitFor, type ControlPlane } from '../control-plane/harness.ts';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { createClusterCaches } from '../../src/kube/caches.ts';
import { podInjectionWebhook } from '../../webhooks/pod-injection-webhook.ts';
import { recordingLogger, type RecordingLogger } from '../unit/recording-logger.ts';

const GVR = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'sidecarsets' };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const LEASE = { leaseName: 'sidecarset-controller-test', leaseDurationMs: 6000, renewDeadlineMs: 4000, retryPeriodMs: 500 };

interface Instance {
  controller: Controller;
  registry: Registry;
  logger: RecordingLogger;
}

describe('SidecarSet controller on a real kube-apiserver', { skip: binariesAvailable() ? false : SKIP_REASON, timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let proxy: TcpProxy;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let objects: CustomObjectsApi;
  let operatorNamespace: string;
  let podNamespace: string;
  let a: Instance;
  const instances: Instance[] = [];

  const start = (): Instance => {
    const registry = new Registry();
    const logger = recordingLogger();
    const controller = startController({ kubeConfig: proxy.kubeConfigVia(kc), namespace: operatorNamespace, logger, registry, workers: 3, leaderElection: LEASE });
    const instance = { controller, registry, logger };
    instances.push(instance);
    return instance;
  };

  const metric = async (instance: Instance, name: string, labels: Record<string, string> = {}): Promise<number> => {
    const found = (await instance.registry.getMetricsAsJSON()).find((m) => m.name === name);
    return (found?.values ?? []).filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
  };

  before(async () => {
    cp = await startControlPlane({ handleSignals: false, quiet: true });
    kc = cp.kubeConfig;
    await cp.installCRDs();
    core = kc.makeApiClient(CoreV1Api);
    objects = kc.makeApiClient(CustomObjectsApi);
    operatorNamespace = await cp.createNamespace({ prefix: 'sidecarset-system' });
    podNamespace = await cp.createNamespace({ prefix: 'apps' });
    proxy = await startTcpProxy(Number(new URL(cp.server).port));
    a = start();
    await waitFor('controller A leading', () => a.controller.isLeader() && a.controller.ready(), { timeoutMs: 20_000 });
  });

  after(async () => {
    for (const instance of instances) await instance.controller.stop();
    await proxy?.close();
    await cp?.stop();
  });

  // --- helpers -----------------------------------------------------------------------------------

  async function applySidecarSet(name: string, image: string, app: string): Promise<SidecarSet> {
    const desired = defaultSidecarSet({
      apiVersion: 'apps.kruise.io/v1alpha1',
      kind: 'SidecarSet',
      metadata: { name },
      spec: { selector: { matchLabels: { app } }, containers: [{ name: 'sidecar', image }] },
    });
    try {
      const current = (await objects.getClusterCustomObject({ ...GVR, name })) as SidecarSet;
      return (await objects.patchClusterCustomObject({ ...GVR, name, body: { metadata: { annotations: desired.metadata.annotations }, spec: desired.spec } }, mergePatch)) as SidecarSet ?? current;
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
      return (await objects.createClusterCustomObject({ ...GVR, body: desired })) as SidecarSet;
    }
  }

  /** A Pod as the webhook would have admitted it (injection applied here: no webhook in this test). */
  async function createInjectedPod(name: string, sidecarSet: SidecarSet, app: string): Promise<void> {
    const pod: Pod = { metadata: { name, namespace: podNamespace, labels: { app } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } };
    const injected = injectPod({ pod, namespace: { name: podNamespace, labels: {} }, sidecarSets: [sidecarSet], now: new Date(), random: Math.random }).pod;
    await core.createNamespacedPod({ namespace: podNamespace, body: injected as V1Pod });
  }

  /** What a kubelet would report: Running, every container started, Ready as asked. */
  async function setPodStatus(name: string, ready: boolean): Promise<void> {
    const pod = await core.readNamespacedPod({ name, namespace: podNamespace });
    const now = new Date();
    const containerStatuses = pod.spec!.containers.map((c) => ({
      name: c.name,
      image: c.image!,
      imageID: `docker-pullable://${c.image!.split(':')[0]}@sha256:${'a'.repeat(64)}`,
      ready,
      restartCount: 0,
      started: true,
      state: { running: { startedAt: now } },
    }));
    await core.patchNamespacedPodStatus(
      { name, namespace: podNamespace, body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }], containerStatuses } } },
      mergePatch,
    );
  }

  const statusOf = async (name: string): Promise<SidecarSetStatus | undefined> => ((await objects.getClusterCustomObject({ ...GVR, name })) as SidecarSet).status;

  async function expectStatus(name: string, expected: Partial<SidecarSetStatus>, timeoutMs = 15_000): Promise<SidecarSetStatus> {
    let last: SidecarSetStatus | undefined;
    try {
      return await waitFor(`status of ${name} to be ${JSON.stringify(expected)}`, async () => {
        last = await statusOf(name);
        return last && Object.entries(expected).every(([k, v]) => (last as unknown as Record<string, unknown>)[k] === v) ? last : undefined;
      }, { timeoutMs, intervalMs: 100 });
    } catch (err) {
      throw new Error(`${(err as Error).message}; last status ${JSON.stringify(last)}`);
    }
  }

  // --- tests -------------------------------------------------------------------------------------

  it('counts matched, updated and ready Pods, records a revision, and follows a new image', async () => {
    let sidecarSet = await applySidecarSet('status-a', 'sidecar:v1', 'status-a');
    for (let i = 0; i < 4; i++) await createInjectedPod(`status-a-${i}`, sidecarSet, 'status-a');
    const initial = await expectStatus('status-a', { matchedPods: 4, updatedPods: 4, readyPods: 0, updatedReadyPods: 0, observedGeneration: 1, collisionCount: 0 });
    assert.match(initial.latestRevision ?? '', /^status-a-[a-z0-9]+$/);

    for (const i of [0, 1, 2]) await setPodStatus(`status-a-${i}`, true);
    await expectStatus('status-a', { matchedPods: 4, updatedPods: 4, readyPods: 3, updatedReadyPods: 3 });

    const revisions = await kc.makeApiClient(AppsV1Api).listNamespacedControllerRevision({ namespace: operatorNamespace, labelSelector: 'kruise.io/sidecarset-name=status-a' });
    assert.equal(revisions.items.length, 1);
    const revision = revisions.items[0];
    assert.equal(revision.metadata?.name, initial.latestRevision);
    assert.equal(revision.revision, 1);
    assert.equal(revision.metadata?.ownerReferences?.[0].kind, 'SidecarSet');
    assert.equal(revision.metadata?.ownerReferences?.[0].controller, true);
    assert.equal(revision.metadata?.annotations?.['kruise.io/sidecarset-hash'], sidecarSet.metadata.annotations?.['kruise.io/sidecarset-hash']);

    // A new sidecar image: the Pods still run the old hash.
    sidecarSet = await applySidecarSet('status-a', 'sidecar:v2', 'status-a');
    const changed = await expectStatus('status-a', { matchedPods: 4, updatedPods: 0, readyPods: 3, updatedReadyPods: 0, observedGeneration: 2 });
    assert.notEqual(changed.latestRevision, initial.latestRevision);
    const after = await kc.makeApiClient(AppsV1Api).listNamespacedControllerRevision({ namespace: operatorNamespace, labelSelector: 'kruise.io/sidecarset-name=status-a' });
    assert.deepEqual(after.items.map((r) => r.revision).sort(), [1, 2]);
  });

  it('follows deleted and relabelled Pods, and reports Pods it never injected', async () => {
    const sidecarSet = await applySidecarSet('status-b', 'sidecar:v1', 'status-b');
    for (let i = 0; i < 3; i++) {
      await createInjectedPod(`status-b-${i}`, sidecarSet, 'status-b');
      await setPodStatus(`status-b-${i}`, true);
    }
    await expectStatus('status-b', { matchedPods: 3, readyPods: 3 });

    await core.deleteNamespacedPod({ name: 'status-b-0', namespace: podNamespace, gracePeriodSeconds: 0 });
    await expectStatus('status-b', { matchedPods: 2, readyPods: 2 });
    await core.patchNamespacedPod({ name: 'status-b-1', namespace: podNamespace, body: { metadata: { labels: { app: 'elsewhere' } } } }, mergePatch);
    await expectStatus('status-b', { matchedPods: 1, readyPods: 1, updatedPods: 1 });

    // Created without injection (before the SidecarSet, or with the webhook down): drift.
    await core.createNamespacedPod({ namespace: podNamespace, body: { metadata: { name: 'status-b-plain', labels: { app: 'status-b' } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } } });
    await waitFor('drift gauge', async () => (await metric(a, 'sidecarset_pods_not_injected', { sidecarset: 'status-b' })) === 1, { timeoutMs: 15_000 });
    const events = await waitFor('drift event', async () => {
      const list = await core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.name=status-b' });
      return list.items.find((e) => e.reason === 'PodsNotInjected');
    }, { timeoutMs: 15_000 });
    assert.equal(events.type, 'Warning');
    assert.match(events.message ?? '', /1 active Pod\(s\).*status-b-plain/);
    assert.deepEqual((await statusOf('status-b'))?.matchedPods, 1, "Kruise's counters are unchanged by drift");
  });

  it('converges after its connections are cut, and logs the watch restarts', async () => {
    const sidecarSet = await applySidecarSet('status-c', 'sidecar:v1', 'status-c');
    await createInjectedPod('status-c-0', sidecarSet, 'status-c');
    await expectStatus('status-c', { matchedPods: 1, readyPods: 0 });
    const restartsBefore = a.logger.lines.filter((l) => l.msg === 'watch restarted').length;
    assert.ok(proxy.destroyConnections() > 0);
    await setPodStatus('status-c-0', true); // happens while the watches are down or reconnecting
    await createInjectedPod('status-c-1', sidecarSet, 'status-c');
    await expectStatus('status-c', { matchedPods: 2, readyPods: 1 });
    const restarts = a.logger.lines.filter((l) => l.msg === 'watch restarted').slice(restartsBefore);
    assert.ok(restarts.length >= 1, 'a watch restart was logged');
    assert.ok(restarts.every((l) => typeof l.reason === 'string'));
  });

  it('restarts a silent watch (frozen connection) and converges', async () => {
    const sidecarSet = await applySidecarSet('status-d', 'sidecar:v1', 'status-d');
    await createInjectedPod('status-d-0', sidecarSet, 'status-d');
    await expectStatus('status-d', { matchedPods: 1 });
    // A controller with a short watchdog, so the test need not wait minutes; it does not lead.
    const logger = recordingLogger();
    const caches = createClusterCaches(proxy.kubeConfigVia(kc), operatorNamespace, logger, undefined, { inactivityTimeoutMs: 1500 });
    caches.start();
    try {
      await caches.waitForSync(AbortSignal.timeout(15_000));
      proxy.setFrozen(true);
      await waitFor('inactivity restart', () => logger.lines.some((l) => l.msg === 'watch restarted' && l.reason === 'inactivity'), { timeoutMs: 15_000 });
      proxy.setFrozen(false);
      await setPodStatus('status-d-0', true);
      await waitFor('cache caught up', () => caches.pods.get(`${podNamespace}/status-d-0`)?.status?.phase === 'Running', { timeoutMs: 15_000 });
      await expectStatus('status-d', { matchedPods: 1, readyPods: 1 });
    } finally {
      proxy.setFrozen(false);
      await caches.stop();
    }
  });

  it('writes status from exactly one of two replicas, and fails over when the leader stops', async () => {
    const b = start();
    await waitFor('controller B synced', () => b.controller.ready(), { timeoutMs: 20_000 });
    assert.equal(b.controller.isLeader(), false);
    const sidecarSet = await applySidecarSet('status-e', 'sidecar:v1', 'status-e');
    await createInjectedPod('status-e-0', sidecarSet, 'status-e');
    await expectStatus('status-e', { matchedPods: 1, readyPods: 0 });
    await setPodStatus('status-e-0', true);
    await expectStatus('status-e', { readyPods: 1 });
    assert.ok((await metric(a, 'sidecarset_controller_status_writes_total', { result: 'written' })) > 0);
    assert.equal(await metric(b, 'sidecarset_controller_status_writes_total'), 0, 'the follower never writes');
    assert.equal(await metric(b, 'sidecarset_controller_reconcile_total'), 0, 'the follower never reconciles');

    const stoppedAt = Date.now();
    await a.controller.stop();
    await waitFor('B leads', () => b.controller.isLeader(), { timeoutMs: LEASE.leaseDurationMs });
    const takeover = Date.now() - stoppedAt;
    assert.ok(takeover < LEASE.leaseDurationMs, `took over in ${takeover} ms (released lease)`);
    await createInjectedPod('status-e-1', sidecarSet, 'status-e');
    await expectStatus('status-e', { matchedPods: 2, readyPods: 1 });
    // The write's response may reach B's handler just after the test's own read of the object.
    await waitFor('B counted its write', async () => (await metric(b, 'sidecarset_controller_status_writes_total', { result: 'written' })) > 0, { timeoutMs: 5000 });
    assert.equal(await metric(b, 'sidecarset_controller_leader'), 1);
    assert.equal(await metric(a, 'sidecarset_controller_leader'), 0);
  });

  it('after 15 s of an unreachable apiserver, catches up within 2 s of its return: caches and status', async () => {
    const sidecarSet = await applySidecarSet('status-f', 'sidecar:v1', 'status-f');
    await createInjectedPod('status-f-0', sidecarSet, 'status-f');
    await expectStatus('status-f', { matchedPods: 1, readyPods: 0 });
    const logger = recordingLogger();
    const caches = createClusterCaches(proxy.kubeConfigVia(kc), operatorNamespace, logger);
    caches.start();
    try {
      await caches.waitForSync(AbortSignal.timeout(15_000));
      proxy.setDown(true);
      // Changes made meanwhile by others, straight to the apiserver.
      await setPodStatus('status-f-0', true);
      const late = await applySidecarSet('status-f-late', 'sidecar:v1', 'status-f-late');
      await new Promise((resolve) => setTimeout(resolve, 15_000));
      assert.ok(logger.lines.filter((l) => l.msg === 'watch restarted' && l.reason === 'unreachable').length >= 5, 'the outage was felt: many failed reconnects');
      proxy.setDown(false);
      const returnedAt = Date.now();
      await waitFor('cache caught up', () => caches.sidecarSets.get(late.metadata.name!) !== undefined && caches.pods.get(`${podNamespace}/status-f-0`)?.status?.phase === 'Running', { timeoutMs: 10_000, intervalMs: 20 });
      const cachesAfter = Date.now() - returnedAt;
      await expectStatus('status-f', { matchedPods: 1, readyPods: 1 }, 10_000);
      const statusAfter = Date.now() - returnedAt;
      assert.ok(cachesAfter < 2_000 && statusAfter < 2_000, `caches caught up ${cachesAfter} ms, status ${statusAfter} ms after the apiserver returned`);
    } finally {
      proxy.setDown(false);
      await caches.stop();
    }
  });

  it('says a frozen watch is stale within its limit, refuses to inject from it, and injects what was created meanwhile once it catches up', async () => {
    const logger = recordingLogger();
    // Short limits (production: 75 s watchdog, 90 s staleness) so that the test takes seconds.
    const caches = createClusterCaches(proxy.kubeConfigVia(kc), operatorNamespace, logger, undefined, { inactivityTimeoutMs: 1_500, staleAfterMs: 3_000 });
    caches.start();
    const webhook = podInjectionWebhook({ caches, excludedNamespaces: [], operatorNamespace, whitelistConfigMap: 'sidecarset-configuration' });
    const admit = (name: string) =>
      webhook.admit({ uid: name, kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' }, operation: 'CREATE', namespace: podNamespace, dryRun: false, object: { metadata: { name, labels: { app: 'status-g' } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } } });
    try {
      await caches.waitForSync(AbortSignal.timeout(15_000));
      proxy.setFrozen(true);
      const frozenAt = Date.now();
      await applySidecarSet('status-g', 'sidecar:v1', 'status-g'); // straight to the apiserver: the frozen cache misses it
      await waitFor('stale', () => caches.sidecarSets.stale(), { timeoutMs: 15_000, intervalMs: 50 });
      const detectedAfter = Date.now() - frozenAt;
      assert.ok(detectedAfter < 3_000 + 1_000, `stale after ${detectedAfter} ms (limit 3 s)`);
      const refused = await admit('during-freeze');
      assert.equal(refused.allowed, false);
      assert.match((refused as { status: { message: string } }).status.message, /^not yet ready to handle request: caches stale/);
      proxy.setFrozen(false);
      const webhookCaches = [caches.sidecarSets, caches.namespaces, caches.revisions, caches.whitelist];
      await waitFor('fresh, with the SidecarSet', () => webhookCaches.every((cache) => !cache.stale()) && caches.sidecarSets.get('status-g') !== undefined, { timeoutMs: 15_000 });
      const injected = await admit('after-freeze');
      assert.deepEqual([injected.allowed, (injected as { injected?: string[] }).injected], [true, ['status-g']]);
    } finally {
      proxy.setFrozen(false);
      await caches.stop();
    }
  });

  /** Samples who leads every 20 ms until `done`; fails if two ever lead at once. */
  function sampleLeaders(leaders: () => boolean[]): { stop(): void; twoAtOnce(): number } {
    let overlaps = 0;
    const timer = setInterval(() => {
      if (leaders().filter(Boolean).length > 1) overlaps++;
    }, 20);
    return { stop: () => clearInterval(timer), twoAtOnce: () => overlaps };
  }

  it('a partitioned leader stops leading before its lease can be taken, and the other replica takes over', async () => {
    for (const instance of instances.splice(0)) await instance.controller.stop();
    const partition = await startTcpProxy(Number(new URL(cp.server).port));
    const stopped: Controller[] = [];
    try {
      const cut = startController({ kubeConfig: partition.kubeConfigVia(kc), namespace: operatorNamespace, logger: recordingLogger(), registry: new Registry(), workers: 1, leaderElection: LEASE });
      stopped.push(cut);
      await waitFor('partitioned-to-be leads', () => cut.isLeader(), { timeoutMs: 20_000 });
      const other = startController({ kubeConfig: kc, namespace: operatorNamespace, logger: recordingLogger(), registry: new Registry(), workers: 1, leaderElection: LEASE });
      stopped.push(other);
      await waitFor('other synced', () => other.ready(), { timeoutMs: 20_000 });
      const samples = sampleLeaders(() => [cut.isLeader(), other.isLeader()]);
      partition.setFrozen(true); // renewals hang and time out; nothing reaches the apiserver
      const partitionedAt = Date.now();
      await waitFor('the partitioned leader steps down', () => !cut.isLeader(), { timeoutMs: LEASE.leaseDurationMs + 5_000, intervalMs: 10 });
      const steppedDownAfter = Date.now() - partitionedAt;
      await waitFor('the other takes over', () => other.isLeader(), { timeoutMs: LEASE.leaseDurationMs + 5_000, intervalMs: 10 });
      const takenOverAfter = Date.now() - partitionedAt;
      samples.stop();
      assert.equal(samples.twoAtOnce(), 0, 'never two leaders at a sample');
      assert.ok(steppedDownAfter < takenOverAfter, `stepped down after ${steppedDownAfter} ms, taken over after ${takenOverAfter} ms`);
      assert.ok(steppedDownAfter <= LEASE.renewDeadlineMs + LEASE.retryPeriodMs + 500, `stepped down within the renew deadline (${steppedDownAfter} ms)`);
      assert.ok(takenOverAfter <= LEASE.leaseDurationMs + LEASE.retryPeriodMs * 2 + 1_000, `taken over within lease + retry (${takenOverAfter} ms)`);
    } finally {
      partition.setFrozen(false);
      for (const controller of stopped) await controller.stop();
      await partition.close();
    }
  });

  it('a SIGKILLed leader is replaced within the lease duration plus the retry period', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sidecarset-kill-'));
    const file = join(dir, 'kubeconfig');
    writeFileSync(file, kc.exportConfig());
    const child = spawn(process.execPath, [fileURLToPath(new URL('../support/controller-process.ts', import.meta.url)), file, operatorNamespace, JSON.stringify(LEASE)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let other: Controller | undefined;
    try {
      await Promise.race([once(createInterface({ input: child.stdout! }), 'line'), new Promise((_, reject) => setTimeout(() => reject(new Error('the child never led')), 30_000))]);
      other = startController({ kubeConfig: kc, namespace: operatorNamespace, logger: recordingLogger(), registry: new Registry(), workers: 1, leaderElection: LEASE });
      const follower = other;
      await waitFor('other synced', () => follower.ready(), { timeoutMs: 20_000 });
      assert.equal(follower.isLeader(), false, 'the child leads');
      child.kill('SIGKILL');
      const killedAt = Date.now();
      await once(child, 'exit');
      await waitFor('the other takes over', () => follower.isLeader(), { timeoutMs: LEASE.leaseDurationMs + 5_000, intervalMs: 10 });
      const takenOverAfter = Date.now() - killedAt;
      assert.ok(takenOverAfter <= LEASE.leaseDurationMs + LEASE.retryPeriodMs * 2 + 1_000, `taken over ${takenOverAfter} ms after the kill (lease ${LEASE.leaseDurationMs} ms)`);
      assert.ok(takenOverAfter >= LEASE.leaseDurationMs - LEASE.retryPeriodMs * 2 - 1_000, `not before the lease could expire (${takenOverAfter} ms): the kill was not a graceful release`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await other?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
