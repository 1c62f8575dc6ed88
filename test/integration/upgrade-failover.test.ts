// The in-place upgrade survives losing its leader: replicas of the controllers run in child
// processes under leader election; mid-rollout the leader is stopped with SIGTERM and leadership
// moves to the second replica at once (the Lease is released), and later that one is SIGKILLed and
// a fresh process takes over once the Lease expires. A watch checks at
// every Pod event that no more than maxUnavailable Pods are updated but unavailable, and the
// rollout completes. The Pods are a Deployment's on simulated nodes: no webhook runs here, so the
// Deployment's template is injected beforehand, as the Pod webhook would inject each Pod.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { defaultSidecarSet, setHashAnnotations } from '../../src/defaulting.ts';
import { injectPod } from '../../src/injection/inject-pod.ts';
import { MERGE_PATCH, requestJson } from '../../src/kube/kube-http.ts';
import { createWatchCache, type WatchCache } from '../../src/kube/watch-cache.ts';
import { isPodSidecarUpdated } from '../../src/status/pod-sidecar-state.ts';
import { isUpdatedButUnavailable } from '../../src/upgrade/choose-pods.ts';
import { SKIP_REASON, binariesAvailable, startControlPlane, waitFor, type ControlPlane } from '../control-plane/harness.ts';
import { recordingLogger } from '../unit/recording-logger.ts';

const PODS = 20;
const MAX_UNAVAILABLE = 2;
const PATH = '/apis/apps.kruise.io/v1alpha1/sidecarsets';

describe('in-place upgrade across leader failures', { skip: binariesAvailable() ? false : SKIP_REASON, timeout: 240_000 }, () => {
  let cp: ControlPlane | undefined;
  let watch: WatchCache<Pod> | undefined;
  let operatorNamespace: string;
  let namespace: string;
  const replicas: ChildProcess[] = [];
  let target: SidecarSet | undefined;
  let worst = 0;

  const replica = (): { child: ChildProcess; leading: Promise<void>; released: () => boolean; exited: Promise<number | null> } => {
    const child = spawn(process.execPath, ['test/support/controller-replica.ts', cp!.kubeconfigPath, operatorNamespace, 'upgrade-failover'], { stdio: ['ignore', 'ignore', 'pipe'] });
    replicas.push(child);
    const leading = new Promise<void>((resolve) => child.stderr!.on('data', (d: Buffer) => d.toString().includes('LEADING') && resolve()));
    let released = false;
    child.stderr!.on('data', (d: Buffer) => (released ||= d.toString().includes('RELEASED')));
    // 'close' comes after the last stderr data.
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return { child, leading, released: () => released, exited };
  };
  const updated = () => watch!.list().filter((p) => target && isPodSidecarUpdated(p, target)).length;

  before(async () => {
    cp = await startControlPlane({ nodes: 2, handleSignals: false, quiet: true, containerReadyDelayMs: 1500 });
    const kc = cp.kubeConfig;
    await cp.installCRDs();
    operatorNamespace = await cp.createNamespace({ prefix: 'sidecarset-system' });
    namespace = await cp.createNamespace({ prefix: 'failover' });
    const body = defaultSidecarSet({ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'SidecarSet', metadata: { name: 'failover' }, spec: { selector: { matchLabels: { app: 'f' } }, containers: [{ name: 'agent', image: 'agent:1' }], updateStrategy: { maxUnavailable: MAX_UNAVAILABLE } } });
    const created = await requestJson<SidecarSet>(kc, { method: 'POST', path: PATH, body });
    const template = injectPod({ pod: { metadata: { namespace, labels: { app: 'f' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } }, namespace: { name: namespace, labels: {} }, sidecarSets: [created], now: new Date(), random: Math.random }).pod;
    await requestJson(kc, {
      method: 'POST',
      path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
      body: { metadata: { name: 'f' }, spec: { replicas: PODS, selector: { matchLabels: { app: 'f' } }, template: { metadata: { labels: template.metadata.labels, annotations: template.metadata.annotations }, spec: template.spec } } },
    });
    watch = createWatchCache<Pod>({ name: 'observer', kubeConfig: kc, path: `/api/v1/namespaces/${namespace}/pods`, logger: recordingLogger() });
    const check = () => {
      if (target) worst = Math.max(worst, watch!.list().filter((p) => isUpdatedButUnavailable(p, target!)).length);
    };
    watch.on('add', check);
    watch.on('update', check);
    watch.start();
    await watch.waitForSync();
  });

  after(async () => {
    for (const child of replicas) child.kill('SIGKILL');
    await watch?.stop();
    await cp?.stop();
  });

  it('completes with the invariant held when leadership moves gracefully, then the leader is SIGKILLed and a fresh process takes over', async () => {
    const kc = cp!.kubeConfig;
    const a = replica();
    await a.leading;
    const b = replica();
    await waitFor('every Pod running', async () => ((await requestJson<SidecarSet>(kc, { path: `${PATH}/failover` })).status?.readyPods ?? 0) === PODS, { timeoutMs: 60_000 });

    const current = await requestJson<SidecarSet>(kc, { path: `${PATH}/failover` });
    const next = structuredClone(current);
    next.spec.containers![0].image = 'agent:2';
    setHashAnnotations(next);
    target = next;
    await requestJson(kc, { method: 'PATCH', path: `${PATH}/failover`, contentType: MERGE_PATCH, body: { metadata: { annotations: next.metadata.annotations }, spec: { containers: next.spec.containers } } });

    await waitFor('the rollout under way', () => updated() >= 4, { timeoutMs: 60_000 });
    const handedOver = updated();
    a.child.kill('SIGTERM'); // mid-rollout: a releases the Lease on its way out, b takes it at once
    assert.equal(await a.exited, 0, 'the first leader stopped cleanly');
    assert.ok(a.released(), 'the first leader gave the Lease up: a graceful move, not an expiry');
    await b.leading;
    assert.ok(handedOver < PODS, 'leadership moved before the rollout ended');
    await waitFor('the rollout going on under the second replica', () => updated() >= Math.max(10, handedOver + 2), { timeoutMs: 60_000 });
    b.child.kill('SIGKILL');
    const c = replica(); // a restarted process: it leads once b's Lease expires
    await c.leading;
    await waitFor('every Pod updated and ready', async () => {
      const status = (await requestJson<SidecarSet>(kc, { path: `${PATH}/failover` })).status;
      return status?.updatedPods === PODS && status.updatedReadyPods === PODS;
    }, { timeoutMs: 120_000, intervalMs: 250 });
    assert.ok(worst <= MAX_UNAVAILABLE, `at one moment ${worst} Pods were updated but unavailable`);
    assert.ok(worst >= 1);
  });
});
