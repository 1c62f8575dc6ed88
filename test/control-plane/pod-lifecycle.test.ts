import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cannotPull, imageIdFor, normaliseImage } from './image-reference.ts';
import { ANNOTATION_HOLD_UNREADY, PULL_BACKOFF_MS, nextPodStatus, type LifecycleOptions, type NodeAddressing } from './pod-lifecycle.ts';

describe('image references as a container runtime reports them', () => {
  it('normalises short names to docker.io, library/ and :latest', () => {
    assert.equal(normaliseImage('nginx:1.25'), 'docker.io/library/nginx:1.25');
    assert.equal(normaliseImage('nginx'), 'docker.io/library/nginx:latest');
    assert.equal(normaliseImage('bitnami/redis:7'), 'docker.io/bitnami/redis:7');
    assert.equal(normaliseImage('ghcr.io/org/app'), 'ghcr.io/org/app:latest');
    assert.equal(normaliseImage('localhost:5000/app:v1'), 'localhost:5000/app:v1');
    assert.equal(normaliseImage('docker.io/library/nginx:1.25'), 'docker.io/library/nginx:1.25');
    const digest = `sha256:${'a'.repeat(64)}`;
    assert.equal(normaliseImage(`nginx@${digest}`), `docker.io/library/nginx@${digest}`);
  });

  it('imageID: one digest per image string, the same for equivalent spellings, the pinned one when pinned', () => {
    assert.match(imageIdFor('nginx:1.25'), /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.equal(imageIdFor('nginx:1.25'), imageIdFor('docker.io/library/nginx:1.25'));
    assert.notEqual(imageIdFor('nginx:1.25'), imageIdFor('nginx:1.26'));
    const digest = `sha256:${'b'.repeat(64)}`;
    assert.equal(imageIdFor(`ghcr.io/a/b:1@${digest}`), `ghcr.io/a/b@${digest}`);
  });

  it('a tag ending in pull-error cannot be pulled; a registry port is not a tag', () => {
    assert.equal(cannotPull('nginx:1.25-pull-error'), true);
    assert.equal(cannotPull('localhost:5000/pull-error'), false);
    assert.equal(cannotPull('nginx:1.25'), false);
  });
});

describe('the simulated kubelet: Pod status over time', () => {
  const node: NodeAddressing = { hostIP: '127.0.1.1', allocatePodIP: () => '10.244.0.2' };
  const options = (): LifecycleOptions => ({ readyDelayMs: 1000, startedAtMs: new Map() });
  const pod = (spec: Record<string, unknown>, annotations: Record<string, string> = {}): Record<string, any> => ({
    metadata: { name: 'p', namespace: 'n', annotations },
    spec: { nodeName: 'kwok-node-0', ...spec },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
  });
  /** Apply nextPodStatus at time t, as the apiserver would store it. */
  const step = (p: Record<string, any>, t: number, o: LifecycleOptions) => {
    const next = nextPodStatus(p, node, t, o);
    if (next.status) p.status = { ...p.status, ...next.status };
    return next;
  };
  const cond = (p: Record<string, any>, type: string): string => p.status.conditions.find((c: { type: string }) => c.type === type)?.status;

  it('starts containers not ready, turns them ready after the delay, then has nothing to write', () => {
    const o = options();
    const p = pod({ containers: [{ name: 'app', image: 'nginx:1.25' }] });
    const first = step(p, 10_000, o);
    assert.equal(p.status.phase, 'Running');
    assert.equal(p.status.podIP, '10.244.0.2');
    assert.equal(p.status.hostIP, '127.0.1.1');
    const c = p.status.containerStatuses[0];
    assert.equal(c.image, 'docker.io/library/nginx:1.25');
    assert.equal(c.imageID, imageIdFor('nginx:1.25'));
    assert.equal(c.ready, false);
    assert.equal(c.restartCount, 0);
    assert.equal(cond(p, 'Ready'), 'False');
    assert.equal(cond(p, 'PodScheduled'), 'True', 'conditions of others are kept');
    assert.equal(first.wakeInMs, 1000);
    step(p, 11_000, o);
    assert.equal(p.status.containerStatuses[0].ready, true);
    assert.equal(cond(p, 'Ready'), 'True');
    assert.equal(nextPodStatus(p, node, 12_000, o).status, undefined);
  });

  it('a changed image restarts that container: restartCount + 1, new imageID, not ready, then ready', () => {
    const o = options();
    const p = pod({ containers: [{ name: 'app', image: 'nginx:1.25' }, { name: 'side', image: 'busybox:1' }] });
    step(p, 0, o);
    step(p, 1000, o);
    const before = p.status.containerStatuses.map((c: { containerID: string }) => c.containerID);
    p.spec.containers[0].image = 'nginx:1.26';
    step(p, 5000, o);
    const [app, side] = p.status.containerStatuses;
    assert.equal(app.restartCount, 1);
    assert.equal(app.image, 'docker.io/library/nginx:1.26');
    assert.equal(app.imageID, imageIdFor('nginx:1.26'));
    assert.notEqual(app.containerID, before[0]);
    assert.equal(app.lastState.terminated.containerID, before[0]);
    assert.equal(app.ready, false);
    assert.equal(side.containerID, before[1], 'the other container keeps running');
    assert.equal(side.ready, true);
    assert.equal(cond(p, 'Ready'), 'False');
    step(p, 6000, o);
    assert.equal(p.status.containerStatuses[0].ready, true);
    assert.equal(cond(p, 'Ready'), 'True');
  });

  it('an image that cannot be pulled: ErrImagePull, then ImagePullBackOff; the Pod stays Pending and unready', () => {
    const o = options();
    const p = pod({ containers: [{ name: 'app', image: 'nginx:1.25-pull-error' }] });
    const first = step(p, 0, o);
    assert.equal(p.status.containerStatuses[0].state.waiting.reason, 'ErrImagePull');
    assert.equal(first.wakeInMs, PULL_BACKOFF_MS);
    step(p, PULL_BACKOFF_MS, o);
    assert.equal(p.status.containerStatuses[0].state.waiting.reason, 'ImagePullBackOff');
    assert.equal(p.status.phase, 'Pending');
    assert.equal(cond(p, 'Ready'), 'False');
    p.spec.containers[0].image = 'nginx:1.25';
    step(p, 5000, o);
    assert.equal(p.status.containerStatuses[0].restartCount, 0, 'a container that never ran has not restarted');
    assert.ok(p.status.containerStatuses[0].state.running);
  });

  it('native sidecars run beside the app, count for readiness and restart on an image change; init containers complete first', () => {
    const o = options();
    const p = pod({
      initContainers: [{ name: 'setup', image: 'busybox:1' }, { name: 'proxy', image: 'envoy:1', restartPolicy: 'Always' }],
      containers: [{ name: 'app', image: 'nginx:1.25' }],
    });
    step(p, 0, o);
    const [setup, proxy] = p.status.initContainerStatuses;
    assert.equal(setup.state.terminated.reason, 'Completed');
    assert.ok(proxy.state.running);
    assert.equal(cond(p, 'Initialized'), 'True');
    step(p, 1000, o);
    assert.equal(cond(p, 'Ready'), 'True');
    p.spec.initContainers[1].image = 'envoy:2';
    step(p, 2000, o);
    assert.equal(p.status.initContainerStatuses[1].restartCount, 1);
    assert.equal(p.status.initContainerStatuses[1].imageID, imageIdFor('envoy:2'));
    assert.equal(p.status.initContainerStatuses[0].restartCount, 0, 'a completed init container is not run again');
    assert.equal(cond(p, 'ContainersReady'), 'False', 'an unready sidecar makes the Pod unready');
    step(p, 3000, o);
    assert.equal(cond(p, 'Ready'), 'True');
  });

  it('readiness held by the annotation: all containers, or the ones it names', () => {
    const o = options();
    const p = pod({ containers: [{ name: 'app', image: 'nginx:1.25' }, { name: 'side', image: 'busybox:1' }] }, { [ANNOTATION_HOLD_UNREADY]: 'side' });
    step(p, 0, o);
    const held = step(p, 1000, o);
    assert.deepEqual(p.status.containerStatuses.map((c: { ready: boolean }) => c.ready), [true, false]);
    assert.equal(cond(p, 'Ready'), 'False');
    assert.equal(held.wakeInMs, undefined, 'nothing to wait for while held');
    delete p.metadata.annotations[ANNOTATION_HOLD_UNREADY];
    step(p, 2000, o);
    assert.equal(cond(p, 'Ready'), 'True');
  });

  it('readiness gates: Ready waits for their conditions', () => {
    const o = options();
    const p = pod({ containers: [{ name: 'app', image: 'nginx:1.25' }], readinessGates: [{ conditionType: 'example.com/gate' }] });
    step(p, 0, o);
    step(p, 1000, o);
    assert.equal(cond(p, 'ContainersReady'), 'True');
    assert.equal(cond(p, 'Ready'), 'False');
    p.status.conditions.push({ type: 'example.com/gate', status: 'True' });
    step(p, 1500, o);
    assert.equal(cond(p, 'Ready'), 'True');
  });
});
