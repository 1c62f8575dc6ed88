// Pods and SidecarSets for the in-place upgrade tests, after the shapes of Kruise's own strategy
// tests: an app container plus one cold sidecar, injected at hash `aaa`, the SidecarSet now at `bbb`.
import jsonpatch from 'fast-json-patch';
import type { Pod } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import type { JsonPatchOperation } from '../../src/json-patch.ts';

export const NAME = 'test-sidecarset';
export const V1_ID = 'docker-pullable://test-image@sha256:a9286defaba7b3a519d585ba0e37d0b2cbee74ebfe590960b0b1d6a5e97d1e1d';
export const V2_ID = 'docker-pullable://test-image@sha256:f7988fb6c02e0ce69257d9bd9cf37ae20a60f1df7563c3a2a6abe24160306b8d';

export function sidecarSet(strategy: SidecarSet['spec']['updateStrategy'] = {}, hashes = { hash: 'bbb', withoutImage: 'without-aaa' }): SidecarSet {
  return {
    metadata: {
      name: NAME,
      resourceVersion: '777',
      annotations: { 'kruise.io/sidecarset-hash': hashes.hash, 'kruise.io/sidecarset-hash-without-image': hashes.withoutImage },
    },
    spec: { selector: { matchLabels: { app: 'sidecar' } }, containers: [{ name: 'test-sidecar', image: 'test-image:v2' }], updateStrategy: strategy },
    status: { matchedPods: 0, updatedPods: 0, readyPods: 0, latestRevision: `${NAME}-rev2` },
  };
}

const hashEntry = (hash: string) => JSON.stringify({ [NAME]: { updateTimestamp: '2026-01-01T00:00:00Z', hash, sidecarSetName: NAME, sidecarList: ['test-sidecar'] } });

export function pod(name: string, labels: Record<string, string> = { app: 'sidecar' }): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      resourceVersion: '1',
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { ...labels },
      annotations: {
        'kruise.io/sidecarset-injected-list': NAME,
        'kruise.io/sidecarset-hash': hashEntry('aaa'),
        'kruise.io/sidecarset-hash-without-image': hashEntry('without-aaa'),
      },
    },
    spec: { nodeName: 'node-1', containers: [{ name: 'nginx', image: 'nginx:1.15.1' }, { name: 'test-sidecar', image: 'test-image:v1' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'nginx', image: 'nginx:1.15.1', imageID: 'docker-pullable://nginx@sha256:1111111111111111111111111111111111111111111111111111111111111111', ready: true },
        { name: 'test-sidecar', image: 'test-image:v1', imageID: V1_ID, ready: true },
      ],
    },
  };
}

/** Applies a pod patch as the apiserver would (the resourceVersion test included) and bumps the resourceVersion. */
export function applyPodPatch(target: Pod, operations: JsonPatchOperation[]): Pod {
  const patched = jsonpatch.applyPatch(structuredClone(target), operations as jsonpatch.Operation[], true, false).newDocument;
  patched.metadata.resourceVersion = String(Number(target.metadata.resourceVersion ?? '0') + 1);
  return patched;
}

/** The kubelet restarting a sidecar whose spec image changed: status image and imageID follow the spec. */
export function restartChangedSidecars(target: Pod, imageIDs: Record<string, string> = { 'test-image:v2': V2_ID, 'test-image:v1': V1_ID }): Pod {
  const next = structuredClone(target);
  for (const status of next.status!.containerStatuses!) {
    const spec = next.spec.containers.find((c) => c.name === status.name)!;
    if (spec.image !== status.image) {
      status.image = spec.image;
      status.imageID = imageIDs[spec.image!] ?? `docker-pullable://${spec.image}@sha256:${'e'.repeat(64)}`;
    }
  }
  return next;
}

/** Kruise's factoryPods(count, upgraded, upgradedAndReady): the first `upgraded` Pods carry the new hash and image, the first `ready` of them run it. */
export function fleet(count: number, upgraded: number, upgradedAndReady: number): Pod[] {
  const pods: Pod[] = [];
  for (let i = 0; i < count; i++) {
    let p = pod(`pod-${i}`);
    if (i < upgraded) {
      p.spec.containers[1].image = 'test-image:v2';
      p.metadata.annotations!['kruise.io/sidecarset-hash'] = hashEntry('bbb');
      p.metadata.annotations!['kruise.io/sidecarset-inplace-update-state'] = JSON.stringify({ [NAME]: { revision: 'bbb', updateTimestamp: '2026-01-01T00:00:00Z', lastContainerStatuses: { 'test-sidecar': { imageID: V1_ID } } } });
      if (i < upgradedAndReady) p = restartChangedSidecars(p);
    }
    pods.push(p);
  }
  return pods;
}

/** A fixed shuffle, so a test never depends on the order it was given. */
export function shuffled<T>(items: T[], seed = 7): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
