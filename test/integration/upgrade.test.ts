// In-place sidecar upgrades end to end on the local cluster with simulated nodes: the operator
// (webhooks, status and upgrade controllers) in this process; Deployments whose Pods the
// ReplicaSet controller creates through the Pod webhook, the scheduler binds to kwok Nodes and the
// kubelet simulator runs (a changed image restarts the container, unready for a moment; a
// `pull-error` tag backs off). A watch records every Pod state, so the maxUnavailable invariant is
// checked at every moment, not only at the end. Tests run in order and build on each other.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as https from 'node:https';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Pod } from '../../src/api/core.ts';
import { ANNOTATION_WORKING_HOTUPGRADE_CONTAINER, API_VERSION, PLURAL, type SidecarSet, type SidecarSetStatus } from '../../src/api/sidecarset.ts';
import { MERGE_PATCH, requestJson } from '../../src/kube/kube-http.ts';
import { createWatchCache, type WatchCache } from '../../src/kube/watch-cache.ts';
import { controllerComponent, type ControllerComponent } from '../../src/operator/controller-component.ts';
import { isPodSidecarUpdated } from '../../src/status/pod-sidecar-state.ts';
import { isUpdatedButUnavailable } from '../../src/upgrade/choose-pods.ts';
import { readUpgradeState } from '../../src/upgrade/upgrade-state.ts';
import { SKIP_REASON, binariesAvailable, startControlPlane, waitFor, type ControlPlane } from '../control-plane/harness.ts';
import { imageIdFor } from '../control-plane/image-reference.ts';
import { startInProcessOperator, type InProcessOperator } from '../support/in-process-operator.ts';
import { recordingLogger } from '../unit/recording-logger.ts';

const RUN = randomBytes(4).toString('hex');
const sidecarSetPath = (name = '') => `/apis/${API_VERSION}/${PLURAL}${name ? `/${name}` : ''}`;
const PODS = 20;
const NODES = 2;

describe('in-place sidecar upgrade on a cluster with simulated nodes', { skip: binariesAvailable() ? false : SKIP_REASON, timeout: 300_000 }, () => {
  let cp: ControlPlane | undefined;
  let kc: KubeConfig;
  let operatorNamespace: string;
  let namespace: string;
  let started: InProcessOperator | undefined;
  let controller: ControllerComponent | undefined;
  let watch: WatchCache<Pod> | undefined;
  /** Every Pod state the watch delivered, in order: [pod name, updated to the hash of the moment]. */
  let worst = 0;
  let observing: SidecarSet | undefined;
  const updateOrder: string[] = [];
  /** The generation of each SidecarSet's last change: a status counts only once it observed that one. */
  const generations = new Map<string, number>();

  const get = (name: string) => requestJson<SidecarSet>(kc, { path: sidecarSetPath(name) });
  const patch = (name: string, body: unknown) => requestJson<SidecarSet>(kc, { method: 'PATCH', path: sidecarSetPath(name), contentType: MERGE_PATCH, body });
  const pods = () => watch!.list().filter((p) => p.metadata.namespace === namespace);
  const podsOf = (app: string) => pods().filter((p) => p.metadata.labels?.app === app);
  const image = (pod: Pod, container: string) => [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === container)?.image;

  /** Starts checking, at every Pod event, how many Pods are updated to `sidecarSet`'s hash but not available. */
  function observe(sidecarSet: SidecarSet): void {
    observing = sidecarSet;
    worst = 0;
    updateOrder.length = 0;
  }

  /** Applies a change, observing from before the first Pod can move: a dry run gives the hash the change will carry. */
  async function changed(name: string, body: unknown): Promise<SidecarSet> {
    const preview = await requestJson<SidecarSet>(kc, { method: 'PATCH', path: sidecarSetPath(name), query: { dryRun: 'All' }, contentType: MERGE_PATCH, body });
    observe(preview);
    const stored = await patch(name, body);
    generations.set(name, stored.metadata.generation ?? 0);
    assert.equal(stored.metadata.annotations?.['kruise.io/sidecarset-hash'], preview.metadata.annotations?.['kruise.io/sidecarset-hash']);
    await waitFor(`SidecarSet ${name} generation ${stored.metadata.generation} in the operator's cache`, () => started!.caches.sidecarSets.get(name)?.metadata.generation === stored.metadata.generation);
    return stored;
  }

  async function expectStatus(name: string, expected: Partial<SidecarSetStatus>, timeoutMs = 60_000): Promise<SidecarSetStatus> {
    let last: SidecarSetStatus | undefined;
    try {
      return await waitFor(`status of ${name} to be ${JSON.stringify(expected)}`, async () => {
        last = (await get(name)).status;
        const observed = (last?.observedGeneration ?? 0) >= (generations.get(name) ?? 0);
        return last && observed && Object.entries(expected).every(([k, v]) => (last as unknown as Record<string, unknown>)[k] === v) ? last : undefined;
      }, { timeoutMs, intervalMs: 200 });
    } catch (error) {
      throw new Error(`${(error as Error).message}; last ${JSON.stringify(last)}`);
    }
  }

  /**
   * A Deployment of `count` Pods, all injected and Ready on simulated nodes; then each Pod, in name
   * order, gets the labels `extra(i)` (what the update selector, priority and scatter read).
   */
  async function createDeployment(app: string, count: number, extra: (i: number) => Record<string, string> = () => ({}), spec: Record<string, unknown> = {}): Promise<void> {
    await requestJson(kc, {
      method: 'POST',
      path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
      body: {
        metadata: { name: app },
        spec: { replicas: count, selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...spec } } },
      },
    });
    const running = await waitFor(`${count} Pods of Deployment ${app} Ready on simulated nodes`, () => {
      const list = podsOf(app).filter((p) => !p.metadata.deletionTimestamp);
      const ready = list.filter((p) => cp!.nodeNames.includes(p.spec.nodeName ?? '') && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === count && list.length === count ? list : undefined;
    }, { timeoutMs: 120_000 });
    const names = running.map((p) => p.metadata.name!).sort();
    for (const [i, podName] of names.entries()) {
      const labels = extra(i);
      if (Object.keys(labels).length) await requestJson(kc, { method: 'PATCH', path: `/api/v1/namespaces/${namespace}/pods/${podName}`, contentType: MERGE_PATCH, body: { metadata: { labels } } });
    }
    await waitFor(`labels of Deployment ${app}'s Pods in the operator's cache`, () => names.every((n, i) => Object.entries(extra(i)).every(([k, v]) => started!.caches.pods.get(`${namespace}/${n}`)?.metadata.labels?.[k] === v)));
  }

  const events = async (reason: string): Promise<{ message: string; involvedObject: { name: string } }[]> =>
    (await requestJson<{ items: { reason: string; message: string; involvedObject: { name: string } }[] }>(kc, { path: '/api/v1/events' })).items.filter((e) => e.reason === reason);

  async function createSidecarSet(name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}): Promise<SidecarSet> {
    const stored = await requestJson<SidecarSet>(kc, { method: 'POST', path: sidecarSetPath(), body: { apiVersion: API_VERSION, kind: 'SidecarSet', metadata: { name, annotations }, spec } });
    generations.set(name, stored.metadata.generation ?? 0);
    await waitFor(`SidecarSet ${name} in the operator's cache`, () => started!.caches.sidecarSets.get(name));
    return stored;
  }

  /** Runs the CLI; resolves with its exit code and output. */
  function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['src/cli/main.ts', ...args, '--kubeconfig', cp!.kubeconfigPath], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  before(async () => {
    cp = await startControlPlane({ nodes: NODES, handleSignals: false, quiet: true });
    kc = cp.kubeConfig;
    await cp.installCRDs();
    operatorNamespace = await cp.createNamespace({ prefix: 'sidecarset-system' });
    namespace = await cp.createNamespace({ prefix: 'upgrade' });
    started = await startInProcessOperator({ cluster: cp, namespace: operatorNamespace, controller: (context) => (controller = controllerComponent(context)), leaderElect: false, leaderElectionId: `upgrade-${RUN}` });
    await waitFor('the controller ready', () => controller?.ready(), { timeoutMs: 20_000 });
    watch = createWatchCache<Pod>({ name: 'observer', kubeConfig: kc, path: `/api/v1/namespaces/${namespace}/pods`, logger: recordingLogger() });
    const check = (pod: Pod, old?: Pod) => {
      if (!observing || pod.metadata.labels?.app !== observing.spec.selector?.matchLabels?.app) return;
      if (isPodSidecarUpdated(pod, observing) && !(old && isPodSidecarUpdated(old, observing))) updateOrder.push(pod.metadata.name!);
      worst = Math.max(worst, podsOf(pod.metadata.labels!.app).filter((p) => isUpdatedButUnavailable(p, observing!)).length);
    };
    watch.on('add', check);
    watch.on('update', check);
    watch.start();
    await watch.waitForSync();
  });

  after(async () => {
    await watch?.stop();
    await started?.stop();
    await cp?.stop();
  });

  describe('a cold upgrade of a Deployment of 20 Pods', () => {
    const name = 'log-agent';
    const app = 'web';
    const sidecar = (pod: Pod) => image(pod, 'agent');

    it('injects 20 Pods that become ready', async () => {
      await createSidecarSet(name, { selector: { matchLabels: { app } }, containers: [{ name: 'agent', image: 'agent:1' }], updateStrategy: { maxUnavailable: 3 } });
      // Zones in blocks (4 z0, 4 z1 among the canaries; 6 z0, 6 z1 among the rest): only a scatter
      // makes them take turns in the upgrade order.
      await createDeployment(app, PODS, (i) => ({ group: i < 8 ? 'canary' : 'main', zone: i < 4 || (i >= 8 && i < 14) ? 'z0' : 'z1' }));
      await expectStatus(name, { matchedPods: PODS, updatedPods: PODS, readyPods: PODS, updatedReadyPods: PODS });
    });

    it('upgrades every Pod, never more than maxUnavailable (3) updated but unavailable at any moment', async () => {
      const set = await changed(name, { spec: { containers: [{ name: 'agent', image: 'agent:2' }] } });
      await expectStatus(name, { matchedPods: PODS, updatedPods: PODS, readyPods: PODS, updatedReadyPods: PODS });
      assert.ok(podsOf(app).every((p) => sidecar(p) === 'agent:2'));
      assert.ok(worst <= 3, `at one moment ${worst} Pods were updated but unavailable`);
      assert.ok(worst >= 1, 'the watch saw the upgrade happen');
      assert.equal(updateOrder.length, PODS);
      const pod = podsOf(app)[0];
      assert.equal(readUpgradeState(pod, name)?.state, 'Completed');
      assert.equal(pod.status?.conditions?.find((c) => c.type === 'SidecarSetUpgradable')?.status, 'True');
      assert.ok((await events('UpgradeProgress')).length > 0, 'progress Events');
      assert.ok(set);
    });

    it('does the same with maxUnavailable 25% (5 of 20)', async () => {
      await changed(name, { spec: { containers: [{ name: 'agent', image: 'agent:3' }], updateStrategy: { maxUnavailable: '25%' } } });
      await expectStatus(name, { updatedPods: PODS, updatedReadyPods: PODS });
      assert.ok(worst <= 5 && worst >= 1, `worst ${worst}`);
    });

    it('keeps exactly 5 Pods on the old image with partition 5', async () => {
      await changed(name, { spec: { containers: [{ name: 'agent', image: 'agent:4' }], updateStrategy: { partition: 5, maxUnavailable: 5 } } });
      await expectStatus(name, { updatedPods: PODS - 5, updatedReadyPods: PODS - 5, readyPods: PODS });
      await sleep(1500);
      assert.equal(podsOf(app).filter((p) => sidecar(p) === 'agent:3').length, 5);
      assert.equal(podsOf(app).filter((p) => sidecar(p) === 'agent:4').length, 15);
      assert.ok(worst <= 5);
    });

    it('moves nothing while paused (rollout pause), then completes once resumed', async () => {
      assert.equal((await cli(['rollout', 'pause', name])).code, 0);
      await changed(name, { spec: { containers: [{ name: 'agent', image: 'agent:5' }], updateStrategy: { partition: null, maxUnavailable: 4 } } });
      await sleep(2500);
      assert.equal(podsOf(app).filter((p) => sidecar(p) === 'agent:5').length, 0, 'nothing moved while paused');
      const paused = await cli(['rollout', 'status', name, '--watch=false']);
      assert.equal(paused.code, 1, paused.stderr);
      assert.match(paused.stdout, /waiting for updateStrategy.paused to be unset/);
      assert.equal((await cli(['rollout', 'resume', name])).code, 0);
      const status = await cli(['rollout', 'status', name, '--timeout', '90s', '--interval', '500ms']);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /successfully rolled out/);
      assert.ok(worst <= 4);
    });

    it('moves only the Pods the update selector picks', async () => {
      await changed(name, { spec: { containers: [{ name: 'agent', image: 'agent:6' }], updateStrategy: { selector: { matchLabels: { group: 'canary' } }, maxUnavailable: 8 } } });
      await expectStatus(name, { updatedPods: 8, updatedReadyPods: 8 });
      await sleep(1500);
      assert.deepEqual(podsOf(app).filter((p) => sidecar(p) === 'agent:6').map((p) => p.metadata.labels!.group).sort(), Array(8).fill('canary'));
    });

    it('follows the priority order and scatters across zones', async () => {
      // One at a time: canary Pods first (weight), the zones taking turns within each group.
      await changed(name, {
        spec: {
          containers: [{ name: 'agent', image: 'agent:7' }],
          updateStrategy: {
            selector: null,
            maxUnavailable: 1,
            priorityStrategy: { weightPriority: [{ weight: 50, matchSelector: { matchLabels: { group: 'canary' } } }] },
            scatterStrategy: [{ key: 'zone', value: 'z0' }],
          },
        },
      });
      await expectStatus(name, { updatedPods: PODS, updatedReadyPods: PODS }, 120_000);
      const groups = updateOrder.map((n) => podsOf(app).find((p) => p.metadata.name === n)!.metadata.labels!.group);
      assert.ok(worst <= 1);
      assert.deepEqual(groups.slice(0, 8), Array(8).fill('canary'), `order ${updateOrder.join(' ')}`);
      const zones = updateOrder.map((n) => podsOf(app).find((p) => p.metadata.name === n)!.metadata.labels!.zone);
      for (let k = 1; k <= zones.length; k++) {
        const z0 = zones.slice(0, k).filter((z) => z === 'z0').length;
        assert.ok(Math.abs(2 * z0 - k) <= 2, `scattered: the first ${k} updates are balanced across zones (${zones.join(' ')})`);
      }
    });

    it('stops at maxUnavailable on an image that cannot be pulled, reports the stall, then completes with a fixed image', async () => {
      await patch(name, { metadata: { annotations: { 'sidecarset.kruise.io/upgrade-stall-deadline-seconds': '3' } } });
      await changed(name, { spec: { containers: [{ name: 'agent', image: 'agent:8-pull-error' }], updateStrategy: { maxUnavailable: 2, priorityStrategy: null, scatterStrategy: null } } });
      await waitFor('the UpgradeStalled Event', async () => (await events('UpgradeStalled')).length > 0, { timeoutMs: 30_000 });
      const stalled = (await events('UpgradeStalled'))[0];
      assert.match(stalled.message, /ImagePullBackOff/);
      await sleep(1500);
      assert.equal(podsOf(app).filter((p) => sidecar(p) === 'agent:8-pull-error').length, 2, 'the rollout stopped at maxUnavailable');
      const status = await cli(['rollout', 'status', name, '--watch=false']);
      assert.equal(status.code, 1, status.stderr);
      assert.match(status.stderr, /rollout stalled: 2 updated Pod\(s\)/);
      assert.ok(podsOf(app).some((p) => readUpgradeState(p, name)?.state === 'Stalled'));

      await changed(name, { spec: { containers: [{ name: 'agent', image: 'agent:9' }] } });
      await expectStatus(name, { updatedPods: PODS, updatedReadyPods: PODS }, 120_000);
      // The 2 stalled Pods were unavailable already: taken without spending the budget of 2 (Kruise's rule).
      assert.ok(worst <= 2 + 2, `worst ${worst}`);
    });

    it('completes a re-tag with the same digest and a fully qualified name', async () => {
      // Pinned to the digest the runtime reports for agent:9: a new tag, the same image content (imageID).
      const retag = `agent:9-retag@${imageIdFor('agent:9').split('@')[1]}`;
      await changed(name, { spec: { containers: [{ name: 'agent', image: retag }], updateStrategy: { maxUnavailable: 10 } } });
      await expectStatus(name, { updatedPods: PODS, readyPods: PODS, updatedReadyPods: PODS });
      assert.ok(podsOf(app).every((p) => p.status?.containerStatuses?.find((c) => c.name === 'agent')?.imageID === imageIdFor('agent:9')), 'same imageID as before the re-tag');
      await changed(name, { spec: { containers: [{ name: 'agent', image: `docker.io/library/${retag}` }] } });
      await expectStatus(name, { updatedPods: PODS, readyPods: PODS, updatedReadyPods: PODS });
    });

    it('touches no Pod when a non-image field changes: admission warning, NotUpgradablePods, outdated Pods in status', async () => {
      const before = podsOf(app).map((p) => p.metadata.resourceVersion);
      const warnings = await patchWithWarnings(kc, sidecarSetPath(name), { spec: { containers: [{ name: 'agent', image: 'agent:10', env: [{ name: 'LEVEL', value: 'debug' }] }] } });
      assert.ok(warnings.some((w) => w.includes(`${PODS} running Pod(s) keep the previous sidecars until recreated`) && w.includes('containers[0].env')), JSON.stringify(warnings));
      await waitFor('the NotUpgradablePods Event', async () => (await events('NotUpgradablePods')).length > 0, { timeoutMs: 30_000 });
      await expectStatus(name, { matchedPods: PODS, updatedPods: 0 });
      assert.ok(podsOf(app).every((p) => sidecar(p)?.startsWith('docker.io/library/agent:9-retag@')));
      await waitFor('SidecarSetUpgradable=False on every Pod', () => podsOf(app).every((p) => p.status?.conditions?.find((c) => c.type === 'SidecarSetUpgradable')?.status === 'False'));
      assert.notDeepEqual(before, podsOf(app).map((p) => p.metadata.resourceVersion), 'only status (condition) writes');
      const status = await cli(['rollout', 'status', name, '--watch=false']);
      assert.equal(status.code, 1, status.stderr);
      assert.match(status.stderr, /20 Pod\(s\) changed in non-image fields/);
    });
  });

  describe('a hot upgrade', () => {
    const name = 'mesh';
    const app = 'hot';
    it('upgrades the idle half, flips the working container, resets the old half: status passes through the phases of a hot upgrade', async () => {
      await createSidecarSet(name, { selector: { matchLabels: { app } }, containers: [{ name: 'proxy', image: 'proxy:1', upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: 'empty:1' } }] });
      await createDeployment(app, 2);
      await expectStatus(name, { matchedPods: 2, updatedPods: 2, readyPods: 2, updatedReadyPods: 2 });
      // Every status write and every Pod write, with its resourceVersion: both come from etcd's one
      // revision counter on this apiserver, so they order the writes (opaque in general; exact here).
      const statuses: { rv: number; counts: number[] }[] = [];
      const resetAt = new Map<string, number>();
      const nextGeneration = ((await get(name)).metadata.generation ?? 0) + 1; // a spec change moves it by one
      const recorder = createWatchCache<SidecarSet>({ name: 'hot-status', kubeConfig: kc, path: sidecarSetPath(), fieldSelector: `metadata.name=${name}`, logger: recordingLogger() });
      const record = (s: SidecarSet) => {
        const st = s.status;
        if (!st || (st.observedGeneration ?? 0) < nextGeneration) return;
        const counts = [st.matchedPods, st.updatedPods, st.readyPods, st.updatedReadyPods ?? 0];
        if (statuses.at(-1)?.counts.join() !== counts.join()) statuses.push({ rv: Number(s.metadata.resourceVersion), counts });
      };
      recorder.on('add', record);
      recorder.on('update', record);
      let recording = true;
      // `observing` is the change's dry run, set before the change is applied (see changed()).
      const onPod = (pod: Pod) => {
        const target = observing;
        if (recording && target?.metadata.name === name && pod.metadata.labels?.app === app && !resetAt.has(pod.metadata.name!) && isPodSidecarUpdated(pod, target) && image(pod, 'proxy-1') === 'empty:1') {
          resetAt.set(pod.metadata.name!, Number(pod.metadata.resourceVersion));
        }
      };
      watch!.on('update', onPod);
      recorder.start();
      await recorder.waitForSync();
      try {
        await changed(name, { spec: { containers: [{ name: 'proxy', image: 'proxy:2', upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: 'empty:1' } }], updateStrategy: { maxUnavailable: 2 } } });
        await expectStatus(name, { matchedPods: 2, updatedPods: 2, readyPods: 2, updatedReadyPods: 2 });
        await waitFor('both Pods reset', () => podsOf(app).every((p) => image(p, 'proxy-1') === 'empty:1' && image(p, 'proxy-2') === 'proxy:2'));
        await waitFor('both resets recorded', () => resetAt.size === 2);
      } finally {
        recording = false;
        await recorder.stop();
      }
      const phases = statuses.map((s) => `[${s.counts}]`).join(' -> ');
      process.stderr.write(`[hot upgrade] status ${phases}; resets at resourceVersions ${[...resetAt.values()].join(', ')}\n`);
      // Each Pod goes old and ready -> updated, not ready (new half starting, then old half resetting) -> updated and ready.
      let previous = { old: 2, updatedReady: 0 };
      for (const { rv, counts } of statuses) {
        const [matched, updated, ready, updatedReady] = counts;
        const old = ready - updatedReady;
        const updatedNotReady = updated - updatedReady;
        assert.ok(matched === 2 && old >= 0 && updatedNotReady >= 0 && old + updatedNotReady + updatedReady === 2, `[${counts}] is a state of 2 Pods: ${phases}`);
        assert.ok(old <= previous.old && updatedReady >= previous.updatedReady, `no Pod moves back: ${phases}`);
        // Part B 7.4: a hot-upgraded Pod is not ready until its idle half is back on the empty image.
        const resetBefore = [...resetAt.values()].filter((at) => at < rv).length;
        assert.ok(updatedReady <= resetBefore, `[${counts}] at resourceVersion ${rv} counts ${updatedReady} updated and ready with ${resetBefore} reset: ${phases}`);
        previous = { old, updatedReady };
      }
      assert.ok(statuses.some((s) => s.counts[1] > s.counts[3]), `a phase with Pods updated but not yet ready: ${phases}`);
      assert.deepEqual(statuses.at(-1)?.counts, [2, 2, 2, 2]);
      for (const pod of podsOf(app)) assert.equal(pod.metadata.annotations![ANNOTATION_WORKING_HOTUPGRADE_CONTAINER], '{"proxy":"proxy-2"}');
      assert.ok((await events('ResetContainerSucceed')).length >= 2);
    });
  });

  describe('a native sidecar', () => {
    it('is upgraded in place', async () => {
      const name = 'native';
      const app = 'native';
      await createSidecarSet(name, { selector: { matchLabels: { app } }, initContainers: [{ name: 'tunnel', image: 'tunnel:1', restartPolicy: 'Always' }] });
      await createDeployment(app, 3);
      await expectStatus(name, { matchedPods: 3, updatedPods: 3, readyPods: 3 });
      await changed(name, { spec: { initContainers: [{ name: 'tunnel', image: 'tunnel:2', restartPolicy: 'Always' }], updateStrategy: { maxUnavailable: 1 } } });
      await expectStatus(name, { matchedPods: 3, updatedPods: 3, readyPods: 3, updatedReadyPods: 3 });
      assert.ok(podsOf(app).every((p) => image(p, 'tunnel') === 'tunnel:2' && p.status?.initContainerStatuses?.[0].image === 'docker.io/library/tunnel:2'));
      assert.ok(worst <= 1);
    });
  });
});

/** A merge patch, returning the admission warnings the apiserver passed on (Warning headers). */
async function patchWithWarnings(kc: KubeConfig, path: string, body: unknown): Promise<string[]> {
  const cluster = kc.getCurrentCluster()!;
  const options: https.RequestOptions = { method: 'PATCH', headers: { 'Content-Type': MERGE_PATCH, Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const request = https.request(new URL(cluster.server + path), options, (response) => {
      response.resume();
      response.on('end', () => {
        if ((response.statusCode ?? 0) >= 300) return reject(new Error(`PATCH ${path}: ${response.statusCode}`));
        const header = response.headers.warning;
        const list = Array.isArray(header) ? header : header ? [header] : [];
        resolve(list.map((w) => w.replace(/^\d+ \S+ "/, '').replace(/"$/, '')));
      });
    });
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}
