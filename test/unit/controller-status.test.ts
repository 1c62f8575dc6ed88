// SidecarSet status computation (docs/behaviour/status.md), including Kruise's own counting sequences.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../src/api/core.ts';
import type { SidecarSet, SidecarSetStatus } from '../../src/api/sidecarset.ts';
import { isPodReady, isPodStateConsistent } from '../../src/status/pod-sidecar-state.ts';
import { readUpgradeSpec } from '../../src/pod-annotations.ts';
import { calculateStatus, selectPods, statusNeedsWrite } from '../../src/status/sidecarset-status.ts';

const NAME = 'test-sidecarset';
const V1_ID = 'docker-pullable://test-image@sha256:a9286defaba7b3a519d585ba0e37d0b2cbee74ebfe590960b0b1d6a5e97d1e1d';
const V2_ID = 'docker-pullable://test-image@sha256:f7988fb6c02e0ce69257d9bd9cf37ae20a60f1df7563c3a2a6abe24160306b8d';
const EMPTY_ID = 'docker-pullable://empty@sha256:0000000000000000000000000000000000000000000000000000000000000000';

function sidecarSet(spec: Partial<SidecarSet['spec']> = {}, hash = 'hash-v2'): SidecarSet {
  return {
    metadata: { name: NAME, generation: 4, annotations: { 'kruise.io/sidecarset-hash': hash } },
    spec: { selector: { matchLabels: { app: 'nginx' } }, containers: [{ name: 'cold-sidecar', image: 'test-image:v2' }], ...spec },
  };
}

interface PodOptions {
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  sidecarImage?: string;
  statusImage?: string;
  statusImageID?: string;
  phase?: string;
  ready?: boolean;
}

/** An injected Pod: app container + cold sidecar, running, ready, recorded at `hash-v1`. */
function pod(name: string, o: PodOptions = {}): Pod {
  return {
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      labels: o.labels ?? { app: 'nginx' },
      annotations: {
        'kruise.io/sidecarset-injected-list': NAME,
        'kruise.io/sidecarset-hash': JSON.stringify({ [NAME]: { updateTimestamp: '2026-01-01T00:00:00Z', hash: 'hash-v1', sidecarSetName: NAME, sidecarList: ['cold-sidecar'] } }),
        ...o.annotations,
      },
    },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.0' }, { name: 'cold-sidecar', image: o.sidecarImage ?? 'test-image:v1' }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
      containerStatuses: [
        { name: 'nginx', image: 'nginx:1.0', imageID: 'docker-pullable://nginx@sha256:1111111111111111111111111111111111111111111111111111111111111111', ready: true },
        { name: 'cold-sidecar', image: o.statusImage ?? 'test-image:v1', imageID: o.statusImageID ?? V1_ID, ready: true },
      ],
    },
  };
}

const counts = (status: SidecarSetStatus): number[] => [status.matchedPods, status.updatedPods, status.readyPods, status.updatedReadyPods ?? 0];
const revision = { latestRevision: `${NAME}-abc`, collisionCount: 0 };
const statusOf = (s: SidecarSet, pods: Pod[], namespaceLabels: Record<string, Record<string, string>> = {}): SidecarSetStatus =>
  calculateStatus(s, selectPods(s, pods, { namespaceLabels: (ns) => namespaceLabels[ns] }).matched, revision);

/** The Pod with these annotations added or replaced. */
function withAnnotations(p: Pod, annotations: Record<string, string>): Pod {
  return { ...p, metadata: { ...p.metadata, annotations: { ...p.metadata.annotations, ...annotations } } };
}

/** The controller's in-place update of a Pod's cold sidecar, as Kruise's updatePodSidecarAndHash leaves it. */
function upgradeInPlace(p: Pod, image: string, hash: string): Pod {
  const before = p.status!.containerStatuses!.find((c) => c.name === 'cold-sidecar')!.imageID;
  return {
    ...withAnnotations(p, {
      'kruise.io/sidecarset-hash': JSON.stringify({ [NAME]: { updateTimestamp: '2026-01-02T00:00:00Z', hash, sidecarSetName: NAME, sidecarList: ['cold-sidecar'] } }),
      'kruise.io/sidecarset-inplace-update-state': JSON.stringify({ [NAME]: { revision: hash, updateTimestamp: '2026-01-02T00:00:00Z', lastContainerStatuses: { 'cold-sidecar': { imageID: before } } } }),
    }),
    spec: { containers: p.spec.containers.map((c) => (c.name === 'cold-sidecar' ? { ...c, image } : c)) },
  };
}

/** The kubelet restarted the sidecar on its new image. */
function kubeletRestarted(p: Pod, image: string, imageID: string): Pod {
  return { ...p, status: { ...p.status, containerStatuses: p.status!.containerStatuses!.map((c) => (c.name === 'cold-sidecar' ? { ...c, image, imageID } : c)) } };
}

describe('status: matched Pods (getMatchingPods)', () => {
  it('counts only active, selected, injected and consistent Pods', () => {
    const s = sidecarSet();
    const pods = [
      pod('ok'),
      pod('other-labels', { labels: { app: 'other' } }),
      pod('succeeded', { phase: 'Succeeded' }),
      pod('failed', { phase: 'Failed' }),
      { ...pod('deleting'), metadata: { ...pod('deleting').metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } },
      pod('not-injected', { annotations: { 'kruise.io/sidecarset-injected-list': 'another' } }),
      pod('prefix-only', { annotations: { 'kruise.io/sidecarset-injected-list': `${NAME}-2,x` } }),
      pod('listed-among-others', { annotations: { 'kruise.io/sidecarset-injected-list': `a,${NAME},z` } }),
      { ...pod('no-sidecar-container'), spec: { containers: [{ name: 'nginx', image: 'nginx:1.0' }] } },
      { ...pod('sidecar-as-init'), spec: { initContainers: [{ name: 'cold-sidecar', image: 'x' }], containers: [{ name: 'nginx', image: 'nginx:1.0' }] } },
    ];
    const selection = selectPods(s, pods, { namespaceLabels: () => undefined });
    assert.deepEqual(selection.matched.map((p) => p.metadata.name), ['ok', 'listed-among-others', 'sidecar-as-init']);
    assert.deepEqual(selection.notInjected.map((p) => p.metadata.name), ['not-injected', 'prefix-only']);
  });

  it('respects spec.namespace (v1alpha1), which wins over namespaceSelector', () => {
    const s = sidecarSet({ namespace: 'team-a', namespaceSelector: { matchLabels: { env: 'prod' } } });
    const pods = [pod('a', { namespace: 'team-a' }), pod('b', { namespace: 'team-b' })];
    const labels = { 'team-b': { env: 'prod' } };
    assert.deepEqual(statusOf(s, pods, labels).matchedPods, 1);
    assert.deepEqual(selectPods(s, pods, { namespaceLabels: (ns) => labels[ns as 'team-b'] }).matched[0].metadata.name, 'a');
  });

  it('respects namespaceSelector, with unknown namespaces never matching', () => {
    const s = sidecarSet({ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] } });
    const pods = [pod('prod', { namespace: 'p' }), pod('dev', { namespace: 'd' }), pod('gone', { namespace: 'unknown' })];
    const labels: Record<string, Record<string, string>> = { p: { env: 'prod' }, d: { env: 'dev' } };
    assert.deepEqual(selectPods(s, pods, { namespaceLabels: (ns) => labels[ns] }).matched.map((p) => p.metadata.name), ['prod']);
  });

  it('needs both hot-upgrade halves and the working-container annotation key', () => {
    const s = sidecarSet({ containers: [{ name: 'hot', image: 'hot:v1', upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: 'empty:1' } }] });
    const base = pod('x');
    const hotPod = (name: string, containers: string[], working?: string): Pod => ({
      ...base,
      metadata: { ...base.metadata, name, annotations: { ...base.metadata.annotations, ...(working ? { 'kruise.io/sidecarset-working-hotupgrade-container': working } : {}) } },
      spec: { containers: containers.map((n) => ({ name: n, image: 'hot:v1' })) },
    });
    const pods = [
      hotPod('complete', ['hot-1', 'hot-2'], '{"hot":"hot-1"}'),
      hotPod('no-annotation', ['hot-1', 'hot-2']),
      hotPod('other-key', ['hot-1', 'hot-2'], '{"cold":"cold-1"}'),
      hotPod('one-half', ['hot-1'], '{"hot":"hot-1"}'),
      hotPod('bad-json', ['hot-1', 'hot-2'], '{hot'),
    ];
    assert.deepEqual(selectPods(s, pods, { namespaceLabels: () => undefined }).matched.map((p) => p.metadata.name), ['complete']);
  });

  it('reports selected Pods without this injection as drift, except opted-out Pods and excluded namespaces', () => {
    const s = sidecarSet();
    const bare = (name: string, namespace = 'default', labels: Record<string, string> = { app: 'nginx' }): Pod => ({
      metadata: { name, namespace, labels },
      spec: { containers: [{ name: 'nginx' }] },
      status: { phase: 'Running' },
    });
    const selection = selectPods(s, [bare('old'), bare('opted-out', 'default', { app: 'nginx', 'sidecarset.kruise.io/inject': 'false' }), bare('system', 'kube-system'), bare('other', 'default', { app: 'x' })], {
      namespaceLabels: () => undefined,
      driftExcludedNamespaces: new Set(['kube-system']),
    });
    assert.deepEqual(selection.notInjected.map((p) => p.metadata.name), ['old']);
    assert.equal(selection.matched.length, 0);
  });
});

describe('status: updatedPods (IsPodSidecarUpdated)', () => {
  const withHash = (name: string, value: string | undefined): Pod => {
    const p = pod(name);
    const annotations = { ...p.metadata.annotations };
    if (value === undefined) delete annotations['kruise.io/sidecarset-hash'];
    else annotations['kruise.io/sidecarset-hash'] = value;
    return { ...p, metadata: { ...p.metadata, annotations } };
  };

  it('compares the entry hash with the SidecarSet hash annotation, accepting the legacy format', () => {
    const s = sidecarSet({}, 'h2');
    const pods = [
      withHash('new-format', JSON.stringify({ [NAME]: { hash: 'h2', sidecarSetName: NAME } })),
      withHash('legacy', JSON.stringify({ [NAME]: 'h2', other: 'x' })),
      withHash('old-hash', JSON.stringify({ [NAME]: { hash: 'h1' } })),
      withHash('mixed-formats', JSON.stringify({ [NAME]: { hash: 'h2' }, other: 'x' })),
      withHash('unparsable', '{not json'),
      withHash('bad-timestamp', JSON.stringify({ [NAME]: { hash: 'h2', updateTimestamp: 'yesterday' } })),
      withHash('other-entry-only', JSON.stringify({ other: { hash: 'h2' } })),
    ];
    const status = statusOf(s, pods);
    assert.equal(status.matchedPods, 7);
    assert.equal(status.updatedPods, 2);
    assert.equal(readUpgradeSpec(pods[0], NAME).hash, 'h2');
    assert.equal(readUpgradeSpec(pods[3], NAME).hash, '', 'one legacy value spoils the structured decode, and vice versa');
  });

  it('treats a Pod without hash and a SidecarSet without hash as updated (both empty), as Kruise does', () => {
    const s: SidecarSet = { ...sidecarSet(), metadata: { name: NAME, generation: 1 } };
    assert.equal(statusOf(s, [withHash('none', undefined)]).updatedPods, 1);
    assert.equal(statusOf(sidecarSet(), [withHash('none', undefined)]).updatedPods, 0);
  });
});

describe('status: readyPods (IsPodStateConsistent && IsPodReady)', () => {
  const s = sidecarSet();

  it('needs phase Running and condition Ready=True', () => {
    assert.deepEqual(counts(statusOf(s, [pod('a'), pod('b', { phase: 'Pending' }), pod('c', { ready: false })])), [3, 0, 1, 0]);
  });

  it('is inconsistent when the container statuses do not cover every container', () => {
    const p = pod('a');
    const short: Pod = { ...p, status: { ...p.status, containerStatuses: p.status!.containerStatuses!.slice(0, 1) } };
    assert.equal(isPodStateConsistent(short, s), false);
    assert.equal(statusOf(s, [short]).readyPods, 0);
  });

  it('checks digests when every sidecar image is a digest', () => {
    const digest = 'test-image@sha256:f7988fb6c02e0ce69257d9bd9cf37ae20a60f1df7563c3a2a6abe24160306b8d';
    assert.equal(isPodStateConsistent(pod('match', { sidecarImage: digest, statusImageID: V2_ID }), s), true);
    assert.equal(isPodStateConsistent(pod('old-digest', { sidecarImage: digest, statusImageID: V1_ID }), s), false);
    assert.equal(
      isPodStateConsistent(pod('containerd-form', { sidecarImage: digest, statusImageID: 'docker.io/library/test-image@sha256:f7988fb6c02e0ce69257d9bd9cf37ae20a60f1df7563c3a2a6abe24160306b8d' }), s),
      true,
      'repositories are compared normalised (Kruise compares them raw and never finishes)',
    );
    assert.equal(
      isPodStateConsistent(pod('other-repo', { sidecarImage: digest, statusImageID: 'docker-pullable://quay.io/test-image@sha256:f7988fb6c02e0ce69257d9bd9cf37ae20a60f1df7563c3a2a6abe24160306b8d' }), s),
      false,
    );
  });

  it('judges in-place updates by the recorded imageID when images are tags', () => {
    const state = (imageID: string): Record<string, string> => ({
      'kruise.io/sidecarset-inplace-update-state': JSON.stringify({ [NAME]: { revision: 'h', updateTimestamp: '2026-01-01T00:00:00Z', lastContainerStatuses: { 'cold-sidecar': { imageID } } } }),
    });
    assert.equal(isPodStateConsistent(pod('never-updated'), s), true);
    assert.equal(isPodStateConsistent(pod('pending', { sidecarImage: 'test-image:v2', annotations: state(V1_ID) }), s), false);
    assert.equal(isPodStateConsistent(pod('done', { sidecarImage: 'test-image:v2', statusImage: 'test-image:v2', statusImageID: V2_ID, annotations: state(V1_ID) }), s), true);
    assert.equal(isPodStateConsistent(pod('same-image', { annotations: state(V1_ID) }), s), true, 'spec image equals status image');
    assert.equal(
      isPodStateConsistent(pod('re-tag', { sidecarImage: 'test-image:v1-alias', statusImage: 'docker.io/library/test-image:v1-alias', annotations: state(V1_ID) }), s),
      true,
      'a re-tag with the same digest completes once the runtime reports the new name (kruise#1270)',
    );
    assert.equal(isPodStateConsistent(pod('re-tag-pending', { sidecarImage: 'test-image:v1-alias', statusImage: 'docker.io/library/test-image:v1', annotations: state(V1_ID) }), s), false);
    assert.equal(isPodStateConsistent(pod('unparsable', { annotations: { 'kruise.io/sidecarset-inplace-update-state': '[' } }), s), false);
    assert.equal(isPodStateConsistent(pod('empty', { annotations: { 'kruise.io/sidecarset-inplace-update-state': '' } }), s), false);
    assert.equal(isPodStateConsistent(pod('other-sidecarset', { sidecarImage: 'test-image:v2', annotations: { 'kruise.io/sidecarset-inplace-update-state': JSON.stringify({ other: { lastContainerStatuses: { 'cold-sidecar': { imageID: V1_ID } } } }) } }), s), true);
  });

  it('needs the idle hot-upgrade half on its empty image, unless no empty image is configured', () => {
    const hot = (emptyImage: string): SidecarSet =>
      sidecarSet({ containers: [{ name: 'hot', image: 'hot:v2', upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: emptyImage } }] });
    const p = pod('h');
    const hotPod = (idleImage: string): Pod => ({
      ...withAnnotations(p, { 'kruise.io/sidecarset-working-hotupgrade-container': '{"hot":"hot-1"}' }),
      spec: { containers: [{ name: 'hot-1', image: 'hot:v1' }, { name: 'hot-2', image: idleImage }] },
    });
    assert.equal(isPodReady(hotPod('empty:1'), hot('empty:1')), true);
    assert.equal(isPodReady(hotPod('hot:v0'), hot('empty:1')), false);
    assert.equal(isPodReady(hotPod('hot:v0'), hot('')), true);
    // Without the annotation the working half is `-2`, so `-1` is the idle one.
    const noAnnotation: Pod = { ...hotPod('empty:1'), metadata: { ...p.metadata } };
    assert.equal(isPodReady(noAnnotation, hot('empty:1')), false);
  });
});

describe('status: Kruise counting sequences [matched, updated, ready, updatedReady]', () => {
  it('cold upgrade (TestUpdateColdUpgradeSidecar): [2,0,2,0] [2,1,1,0] [2,1,2,1] [2,2,1,1] [2,2,2,2]', () => {
    const s = sidecarSet({}, 'hash-v2');
    let p1 = pod('test-pod-1');
    let p2 = pod('test-pod-2');
    const seen: number[][] = [];
    seen.push(counts(statusOf(s, [p1, p2])));
    p1 = upgradeInPlace(p1, 'test-image:v2', 'hash-v2'); // the controller updates pod 1 after computing status
    seen.push(counts(statusOf(s, [p1, p2])));
    p1 = kubeletRestarted(p1, 'test-image:v2', V2_ID);
    seen.push(counts(statusOf(s, [p1, p2])));
    p2 = upgradeInPlace(p2, 'test-image:v2', 'hash-v2');
    seen.push(counts(statusOf(s, [p1, p2])));
    p2 = kubeletRestarted(p2, 'test-image:v2', V2_ID);
    seen.push(counts(statusOf(s, [p1, p2])));
    assert.deepEqual(seen, [[2, 0, 2, 0], [2, 1, 1, 0], [2, 1, 2, 1], [2, 2, 1, 1], [2, 2, 2, 2]]);
  });

  it('hot upgrade (TestUpdateHotUpgradeSidecar): [1,0,1,0] [1,1,0,0] [1,1,0,0] [1,1,1,1]', () => {
    const s = sidecarSet({ containers: [{ name: 'hot', image: 'hot:v2', upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: 'empty:1' } }] }, 'hash-v2');
    const statusOfContainer = (name: string, image: string, imageID: string) => ({ name, image, imageID, ready: true });
    const hashAnnotation = (hash: string) => JSON.stringify({ [NAME]: { hash, sidecarSetName: NAME, sidecarList: ['hot'] } });
    let p: Pod = {
      metadata: {
        name: 'hot-pod',
        namespace: 'default',
        labels: { app: 'nginx' },
        annotations: {
          'kruise.io/sidecarset-injected-list': NAME,
          'kruise.io/sidecarset-hash': hashAnnotation('hash-v1'),
          'kruise.io/sidecarset-working-hotupgrade-container': '{"hot":"hot-1"}',
        },
      },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.0' }, { name: 'hot-1', image: 'hot:v1' }, { name: 'hot-2', image: 'empty:1' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [statusOfContainer('nginx', 'nginx:1.0', 'nginx-id'), statusOfContainer('hot-1', 'hot:v1', V1_ID), statusOfContainer('hot-2', 'empty:1', EMPTY_ID)],
      },
    };
    const seen: number[][] = [counts(statusOf(s, [p]))];
    // The controller upgrades the idle half (hot-2) and makes it the working one.
    p = {
      ...withAnnotations(p, {
        'kruise.io/sidecarset-hash': hashAnnotation('hash-v2'),
        'kruise.io/sidecarset-working-hotupgrade-container': '{"hot":"hot-2"}',
        'kruise.io/sidecarset-inplace-update-state': JSON.stringify({ [NAME]: { revision: 'hash-v2', lastContainerStatuses: { 'hot-2': { imageID: EMPTY_ID } } } }),
      }),
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.0' }, { name: 'hot-1', image: 'hot:v1' }, { name: 'hot-2', image: 'hot:v2' }] },
    };
    seen.push(counts(statusOf(s, [p])));
    // The kubelet runs hot-2 on v2; hot-1 (now idle) still runs v1.
    p = { ...p, status: { ...p.status, containerStatuses: [statusOfContainer('nginx', 'nginx:1.0', 'nginx-id'), statusOfContainer('hot-1', 'hot:v1', V1_ID), statusOfContainer('hot-2', 'hot:v2', V2_ID)] } };
    seen.push(counts(statusOf(s, [p])));
    // The controller resets the idle half to the empty image; the kubelet restarts it.
    p = {
      ...withAnnotations(p, {
        'kruise.io/sidecarset-inplace-update-state': JSON.stringify({ [NAME]: { revision: 'hash-v2', lastContainerStatuses: { 'hot-2': { imageID: EMPTY_ID }, 'hot-1': { imageID: V1_ID } } } }),
      }),
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.0' }, { name: 'hot-1', image: 'empty:1' }, { name: 'hot-2', image: 'hot:v2' }] },
      status: { ...p.status, containerStatuses: [statusOfContainer('nginx', 'nginx:1.0', 'nginx-id'), statusOfContainer('hot-1', 'empty:1', EMPTY_ID), statusOfContainer('hot-2', 'hot:v2', V2_ID)] },
    };
    seen.push(counts(statusOf(s, [p])));
    assert.deepEqual(seen, [[1, 0, 1, 0], [1, 1, 0, 0], [1, 1, 0, 0], [1, 1, 1, 1]]);
  });
});

describe('status: the rest of the object and when to write it', () => {
  it('carries observedGeneration, latestRevision and collisionCount (0 included)', () => {
    const status = calculateStatus(sidecarSet(), [], { latestRevision: 'rev-1', collisionCount: 0 });
    assert.deepEqual(status, { observedGeneration: 4, matchedPods: 0, updatedPods: 0, readyPods: 0, updatedReadyPods: 0, latestRevision: 'rev-1', collisionCount: 0 });
  });

  it('writes only on a difference; a higher observedGeneration is one, a lower one is not', () => {
    const next: SidecarSetStatus = { observedGeneration: 4, matchedPods: 1, updatedPods: 1, readyPods: 1, updatedReadyPods: 1, latestRevision: 'r', collisionCount: 0 };
    assert.equal(statusNeedsWrite(undefined, next), true);
    assert.equal(statusNeedsWrite({ ...next }, next), false);
    assert.equal(statusNeedsWrite({ ...next, observedGeneration: 3 }, next), true);
    assert.equal(statusNeedsWrite({ ...next, observedGeneration: 5 }, next), false);
    assert.equal(statusNeedsWrite({ ...next, readyPods: 0 }, next), true);
    assert.equal(statusNeedsWrite({ ...next, latestRevision: 'q' }, next), true);
    assert.equal(statusNeedsWrite({ ...next, collisionCount: undefined }, next), true, 'collisionCount is always written');
  });
});

describe('image references compared normalised', () => {
  it('applies the familiar-name rules: docker.io, library/, latest, digests by digest', async () => {
    const { isSameImage } = await import('../../src/status/image-reference.ts');
    assert.ok(isSameImage('nginx:1.25', 'docker.io/library/nginx:1.25'));
    assert.ok(isSameImage('nginx', 'docker.io/library/nginx:latest'));
    assert.ok(isSameImage('library/nginx', 'index.docker.io/library/nginx'));
    assert.ok(isSameImage('user/app:v1', 'docker.io/user/app:v1'));
    assert.ok(!isSameImage('nginx:1.25', 'nginx:1.26'));
    assert.ok(!isSameImage('localhost/nginx:1', 'docker.io/library/nginx:1'));
    assert.ok(!isSameImage('quay.io/nginx:1', 'nginx:1'));
    const digest = 'sha256:' + 'a'.repeat(64);
    assert.ok(isSameImage(`busybox:1@${digest}`, `docker.io/library/busybox@${digest}`));
    assert.ok(!isSameImage(`busybox@${digest}`, `busybox@sha256:${'b'.repeat(64)}`));
  });
});
