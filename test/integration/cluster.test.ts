// The local cluster behaves like one: controllers make Pods from workloads, the scheduler binds
// them to kwok Nodes, and the simulated kubelet runs them, all observed through the real
// apiserver. A cluster of its own: its garbage collector and namespace controller must not act
// on other files' objects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, PatchStrategy, Watch, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { K8S_VERSION, SKIP_REASON, binariesAvailable, controlPlaneRequired, errorCode, startControlPlane, waitFor, type ControlPlane } from '../control-plane/harness.ts';
import { imageIdFor } from '../control-plane/image-reference.ts';
import { ANNOTATION_HOLD_UNREADY } from '../control-plane/pod-lifecycle.ts';
import { kubectlRunner, type KubectlResult } from '../support/kubectl.ts';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const READY_DELAY_MS = 1500;
type Json = Record<string, any>;

if (controlPlaneRequired() && !binariesAvailable()) throw new Error(`integration tier required but ${SKIP_REASON}`);

const ready = (pod: Json): boolean => pod.status?.conditions?.some((c: Json) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Every state of one Pod the apiserver reports, from now on, until stop(). */
async function recordPod(kc: KubeConfig, namespace: string, name: string): Promise<{ states: Json[]; stop(): void }> {
  const states: Json[] = [];
  const controller = await new Watch(kc).watch(
    `/api/v1/namespaces/${namespace}/pods`,
    { fieldSelector: `metadata.name=${name}` },
    (_type, obj) => states.push(obj),
    () => {},
  );
  return { states, stop: () => controller.abort() };
}

describe('a local cluster with simulated nodes', { skip: binariesAvailable() ? false : SKIP_REASON, timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let namespace: string;

  let kubectl: (...args: string[]) => Promise<KubectlResult>;
  const readPod = async (name: string): Promise<Json> => JSON.parse((await kubectl('get', 'pod', '-n', namespace, name, '-o', 'json')).stdout);
  const createPod = (name: string, spec: Json, annotations?: Record<string, string>) =>
    core.createNamespacedPod({ namespace, body: { metadata: { name, annotations }, spec } as never });
  const untilReady = (name: string) => waitFor(`Pod ${name} Ready`, async () => ready(await readPod(name)), { timeoutMs: 30_000 });

  before(async () => {
    cp = await startControlPlane({ nodes: 2, handleSignals: false, quiet: true, containerReadyDelayMs: READY_DELAY_MS });
    kc = cp.kubeConfig;
    kubectl = kubectlRunner(cp.binaries.kubectl.path, cp.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    // No hand-made ServiceAccount: the controller-manager creates `default` in every namespace.
    namespace = `cluster-${Date.now()}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  after(() => cp?.stop());

  it('kubectl is the apiserver\'s version; namespaces get their default ServiceAccount by themselves', async () => {
    const version = JSON.parse((await kubectl('version', '-o', 'json')).stdout);
    assert.equal(version.clientVersion.gitVersion, K8S_VERSION);
    assert.equal(version.serverVersion.gitVersion, K8S_VERSION);
    await waitFor('ServiceAccount default', () => core.readNamespacedServiceAccount({ name: 'default', namespace }), { timeoutMs: 30_000 });
    const run = await kubectl('run', 'by-kubectl-run', '-n', namespace, '--image=nginx:1.25');
    assert.equal(run.status, 0, run.stderr);
    await untilReady('by-kubectl-run');
  });

  it('a Deployment makes Pods that are scheduled, Running and Ready with runtime-style image and imageID; rollout status and restart work', async () => {
    const body = {
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      },
    };
    await apps.createNamespacedDeployment({ namespace, body });
    const status = await kubectl('rollout', 'status', '-n', namespace, 'deployment/web', '--timeout=60s');
    assert.equal(status.status, 0, `${status.stderr}\n${(await kubectl('get', 'deployments,replicasets,pods', '-n', namespace, '-o', 'wide')).stdout}`);
    const pods = JSON.parse((await kubectl('get', 'pods', '-n', namespace, '-l', 'app=web', '-o', 'json')).stdout).items as Json[];
    assert.equal(pods.length, 2);
    for (const pod of pods) {
      assert.ok(cp.nodeNames.includes(pod.spec.nodeName), `scheduled on a kwok Node: ${pod.spec.nodeName}`);
      assert.equal(pod.status.phase, 'Running');
      assert.ok(ready(pod));
      assert.match(pod.status.podIP, /^10\.244\.\d+\.\d+$/);
      const c = pod.status.containerStatuses[0];
      assert.equal(c.image, 'docker.io/library/nginx:1.25');
      assert.equal(c.imageID, imageIdFor('nginx:1.25'));
    }
    const names = new Set(pods.map((p) => p.metadata.name));
    const restart = await kubectl('rollout', 'restart', '-n', namespace, 'deployment/web');
    assert.equal(restart.status, 0, restart.stderr);
    const again = await kubectl('rollout', 'status', '-n', namespace, 'deployment/web', '--timeout=90s');
    assert.equal(again.status, 0, again.stderr);
    await waitFor('only new Pods left (old ones deleted gracefully)', async () => {
      const now = JSON.parse((await kubectl('get', 'pods', '-n', namespace, '-l', 'app=web', '-o', 'json')).stdout).items as Json[];
      return now.length === 2 && now.every((p) => !names.has(p.metadata.name) && ready(p));
    }, { timeoutMs: 60_000 });
  });

  it('a changed image on a running Pod restarts that container: restartCount + 1, new imageID, Ready false then true', async () => {
    await createPod('in-place', { containers: [{ name: 'app', image: 'nginx:1.25' }, { name: 'side', image: 'busybox:1.36' }] });
    await untilReady('in-place');
    const before = await readPod('in-place');
    const recorder = await recordPod(kc, namespace, 'in-place');
    try {
      await core.patchNamespacedPod({ name: 'in-place', namespace, body: { spec: { containers: [{ name: 'app', image: 'nginx:1.26' }, { name: 'side', image: 'busybox:1.36' }] } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
      await waitFor('restarted and Ready again', () => {
        const last = recorder.states.at(-1);
        return last && ready(last) && last.status.containerStatuses[0].restartCount === 1;
      }, { timeoutMs: 30_000 });
    } finally {
      recorder.stop();
    }
    const app = (p: Json): Json => p.status.containerStatuses.find((c: Json) => c.name === 'app');
    const side = (p: Json): Json => p.status.containerStatuses.find((c: Json) => c.name === 'side');
    const unready = recorder.states.find((p) => app(p).restartCount === 1 && !ready(p));
    assert.ok(unready, `the Pod was seen not ready after the restart: ${JSON.stringify(recorder.states.map((p) => [ready(p), app(p).restartCount]))}`);
    assert.equal(app(unready).ready, false);
    assert.equal(app(unready).imageID, imageIdFor('nginx:1.26'));
    const after = recorder.states.at(-1)!;
    assert.equal(app(after).image, 'docker.io/library/nginx:1.26');
    assert.notEqual(app(after).imageID, app(before).imageID);
    assert.equal(app(after).lastState.terminated.containerID, app(before).containerID);
    assert.equal(side(after).restartCount, 0, 'the unchanged container was not restarted');
    assert.equal(side(after).containerID, side(before).containerID);
    const startedToReady = Date.parse(after.status.conditions.find((c: Json) => c.type === 'Ready').lastTransitionTime) - Date.parse(app(after).state.running.startedAt);
    assert.ok(startedToReady >= READY_DELAY_MS - 1000, `not ready for about the configured ${READY_DELAY_MS} ms (${startedToReady} ms at seconds precision)`);
  });

  it('an image that cannot be pulled waits in ErrImagePull, then ImagePullBackOff, and the Pod is not ready', async () => {
    await createPod('bad-image', { containers: [{ name: 'app', image: 'nginx:1.25-pull-error' }] });
    const pod = await waitFor('ImagePullBackOff', async () => {
      const p = await readPod('bad-image');
      return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff' ? p : undefined;
    }, { timeoutMs: 30_000 });
    assert.equal(pod.status.phase, 'Pending');
    assert.equal(ready(pod), false);
    assert.equal(pod.status.containerStatuses[0].imageID, '');
  });

  it('native sidecars run beside the app and restart on an image change; held readiness keeps a Pod unready', async () => {
    await createPod('native', {
      initContainers: [{ name: 'proxy', image: 'envoyproxy/envoy:v1.30', restartPolicy: 'Always' }],
      containers: [{ name: 'app', image: 'nginx:1.25' }],
    }, { [ANNOTATION_HOLD_UNREADY]: 'proxy' });
    await waitFor('sidecar running, held unready', async () => {
      const p = await readPod('native');
      return p.status?.initContainerStatuses?.[0]?.state?.running && p.status.containerStatuses?.[0]?.ready;
    }, { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, READY_DELAY_MS + 1000));
    assert.equal(ready(await readPod('native')), false, 'held past the ready delay');

    await core.patchNamespacedPod({ name: 'native', namespace, body: { metadata: { annotations: { [ANNOTATION_HOLD_UNREADY]: null } } } }, MERGE_PATCH);
    await untilReady('native');
    await core.patchNamespacedPod({ name: 'native', namespace, body: { spec: { initContainers: [{ name: 'proxy', image: 'envoyproxy/envoy:v1.31', restartPolicy: 'Always' }] } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    const restarted = await waitFor('sidecar restarted with the new image', async () => {
      const p = await readPod('native');
      const s = p.status.initContainerStatuses[0];
      return s.restartCount === 1 && s.imageID === imageIdFor('envoyproxy/envoy:v1.31') ? p : undefined;
    }, { timeoutMs: 30_000 });
    assert.equal(restarted.status.containerStatuses[0].restartCount, 0);
    await untilReady('native');
  });

  it('graceful deletion completes, and the garbage collector removes what a deleted Deployment owned', async () => {
    await core.deleteNamespacedPod({ name: 'bad-image', namespace });
    await waitFor('Pod gone', async () => {
      try {
        await core.readNamespacedPod({ name: 'bad-image', namespace });
        return false;
      } catch (e) {
        return errorCode(e) === 404;
      }
    }, { timeoutMs: 20_000 });

    await apps.deleteNamespacedDeployment({ name: 'web', namespace, propagationPolicy: 'Background' });
    await waitFor('ReplicaSets and Pods of the Deployment collected', async () => {
      const rs = await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=web' });
      const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
      return rs.items.length === 0 && pods.items.length === 0;
    }, { timeoutMs: 60_000 });
  });

  it('a deleted namespace goes away with everything in it', async () => {
    await core.deleteNamespace({ name: namespace });
    await waitFor('namespace gone', async () => {
      try {
        await core.readNamespace({ name: namespace });
        return false;
      } catch (e) {
        return errorCode(e) === 404;
      }
    }, { timeoutMs: 90_000 });
  });
});
