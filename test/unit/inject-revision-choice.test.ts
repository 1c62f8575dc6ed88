// Revision choice with policy Partial: the draw against the partition, and re-injection keeping it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControllerRevision, Pod } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { injectPod } from '../../src/injection/inject-pod.ts';

const sidecarSet: SidecarSet = {
  metadata: { name: 'mesh', annotations: { 'kruise.io/sidecarset-hash': 'new-hash', 'kruise.io/sidecarset-hash-without-image': 'new-wi' } },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    containers: [{ name: 'envoy', image: 'envoy:new', podInjectPolicy: 'BeforeAppContainer' }],
    updateStrategy: { partition: '40%' },
    injectionStrategy: { revision: { revisionName: 'mesh-1', policy: 'Partial' } },
  },
  status: { matchedPods: 0, updatedPods: 0, readyPods: 0, latestRevision: 'mesh-2' },
};
const revisions: ControllerRevision[] = [{
  metadata: { name: 'mesh-1', annotations: { 'kruise.io/sidecarset-hash': 'old-hash', 'kruise.io/sidecarset-hash-without-image': 'old-wi' } },
  revision: 1,
  data: { spec: { $patch: 'replace', containers: [{ name: 'envoy', image: 'envoy:old', podInjectPolicy: 'BeforeAppContainer' }] } },
}];
const pod: Pod = { metadata: { name: 'p', namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'app' }] } };

function inject(input: Pod, draw: number): Pod {
  return injectPod({ pod: input, namespace: { name: 'default' }, sidecarSets: [sidecarSet], revisions, now: new Date(0), random: () => draw }).pod;
}
const envoyImage = (injected: Pod) => injected.spec.containers.find((container) => container.name === 'envoy')?.image;

describe('Partial revision policy', () => {
  it('picks the pinned revision when the draw is within the partition, else the latest', () => {
    assert.equal(envoyImage(inject(pod, 0.4)), 'envoy:old');
    assert.equal(envoyImage(inject(pod, 0.41)), 'envoy:new');
  });

  it('keeps the earlier choice when the Pod is injected again, whatever the new draw', () => {
    const old = inject(pod, 0.1);
    assert.deepEqual(inject(old, 0.9), old);
    const latest = inject(pod, 0.9);
    assert.deepEqual(inject(latest, 0.1), latest);
  });
});
