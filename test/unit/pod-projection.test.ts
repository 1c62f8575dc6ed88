import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { projectPod } from '../../src/pod-projection.ts';

describe('Pod projection (what the Pod cache keeps)', () => {
  it('keeps identity, labels, sidecar annotations, container names and images, the node, phase, Ready and Upgradable conditions and container statuses', () => {
    // The metadata the projection keeps, as is; the raw Pod adds what it drops.
    const keptMetadata = {
      name: 'p',
      namespace: 'ns',
      uid: 'u',
      resourceVersion: '7',
      generation: 2,
      creationTimestamp: '2025-12-31T00:00:00Z',
      deletionTimestamp: '2026-01-01T00:00:00Z',
      labels: { app: 'x' },
      annotations: {
        'kruise.io/sidecarset-hash': '{}',
        'kruise.io/sidecarset-injected-list': 'a',
        'version.sidecarset.kruise.io/hot-1': '1',
        'versionalt.sidecarset.kruise.io/hot-1': '0',
        'sidecarset.kruise.io/upgrade-state': '{}',
      },
    };
    const raw = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        ...keptMetadata,
        annotations: { ...keptMetadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': '{"huge":true}' },
        managedFields: [{ manager: 'kubectl' }],
        ownerReferences: [{ kind: 'ReplicaSet' }],
      },
      spec: {
        initContainers: [{ name: 'init', image: 'i:1', restartPolicy: 'Always', env: [{ name: 'A', value: 'B' }] }],
        containers: [{ name: 'app', image: 'a:1', command: ['run'], resources: { limits: { cpu: '1' } } }],
        volumes: [{ name: 'v', emptyDir: {} }],
        nodeName: 'n',
      },
      status: {
        phase: 'Running',
        podIP: '10.0.0.1',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'True', lastTransitionTime: 'x' },
          { type: 'SidecarSetUpgradable', status: 'True', lastProbeTime: null, reason: 'AllSidecarsetUpgradable', message: '{"a":true}' },
        ],
        containerStatuses: [{ name: 'app', image: 'a:1', imageID: 'id', ready: true, restartCount: 3, state: { waiting: { reason: 'ImagePullBackOff', message: 'long text' } } }],
        initContainerStatuses: [{ name: 'init', image: 'i:1', imageID: 'iid', ready: false, state: { running: { startedAt: 'x' } } }],
      },
    };
    assert.deepEqual(projectPod(raw), {
      metadata: keptMetadata,
      spec: { containers: [{ name: 'app', image: 'a:1' }], initContainers: [{ name: 'init', image: 'i:1', restartPolicy: 'Always' }], nodeName: 'n' },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'Ready', status: 'True', lastTransitionTime: 'x' },
          { type: 'SidecarSetUpgradable', status: 'True', lastProbeTime: null, reason: 'AllSidecarsetUpgradable', message: '{"a":true}' },
        ],
        containerStatuses: [{ name: 'app', image: 'a:1', imageID: 'id', ready: true, restartCount: 3, state: { waiting: { reason: 'ImagePullBackOff' } } }],
        initContainerStatuses: [{ name: 'init', image: 'i:1', imageID: 'iid', ready: false }],
      },
    });
  });

  it('leaves out what is absent', () => {
    assert.deepEqual(projectPod({ metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [] } }), {
      metadata: { name: 'p', namespace: 'ns', uid: undefined, resourceVersion: undefined },
      spec: { containers: [] },
    });
  });
});
