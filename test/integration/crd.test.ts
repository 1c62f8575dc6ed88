// The SidecarSet CRD against a real kube-apiserver: no webhook or operator involved.
// Run with `npm run test:integration` (one shared control plane for all integration files).

import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import {
  ApiextensionsV1Api,
  CoordinationV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  type V1Lease,
} from '@kubernetes/client-node';
import { SIDECARSET_CRD, SKIP_REASON, errorCode, testControlPlane } from '../control-plane/harness.ts';

const cp = await testControlPlane();
const GVR = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'sidecarsets' };

function sidecarSet(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'SidecarSet', metadata: { name }, spec };
}

const uniq = (p: string): string => `${p}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

describe('SidecarSet CRD on a real kube-apiserver', { skip: cp ? false : SKIP_REASON }, () => {
  let objects: CustomObjectsApi;

  before(async () => {
    await cp!.installCRDs(SIDECARSET_CRD);
    objects = cp!.kubeConfig.makeApiClient(CustomObjectsApi);
  });

  it('is accepted and Established, cluster-scoped, with a status subresource', async () => {
    const crd = await cp!.kubeConfig.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: 'sidecarsets.apps.kruise.io' });
    assert.equal(crd.spec.scope, 'Cluster');
    assert.equal(crd.spec.names.kind, 'SidecarSet');
    const established = crd.status?.conditions?.find((c) => c.type === 'Established');
    assert.equal(established?.status, 'True');
    const v1alpha1 = crd.spec.versions.find((v) => v.name === 'v1alpha1');
    assert.ok(v1alpha1?.subresources?.status, 'status subresource enabled');
  });

  it('stores a valid SidecarSet and reads it back', async () => {
    const name = uniq('valid');
    const spec = { selector: { matchLabels: { app: 'x' } }, containers: [{ name: 'sidecar', image: 'busybox' }] };
    await objects.createClusterCustomObject({ ...GVR, body: sidecarSet(name, spec) });
    const got = (await objects.getClusterCustomObject({ ...GVR, name })) as { spec: typeof spec; metadata: { generation: number } };
    assert.deepEqual(got.spec.selector, spec.selector);
    assert.equal(got.spec.containers[0].name, 'sidecar');
    assert.equal(got.spec.containers[0].image, 'busybox');
    assert.equal(got.metadata.generation, 1);
  });

  it('rejects a SidecarSet whose spec.containers is not a list', async () => {
    const name = uniq('invalid');
    await assert.rejects(
      objects.createClusterCustomObject({ ...GVR, body: sidecarSet(name, { selector: { matchLabels: { app: 'x' } }, containers: 'busybox' }) }),
      (e: unknown) => {
        assert.equal(errorCode(e), 422, `expected 422 Invalid, got ${String(e).slice(0, 300)}`);
        assert.match(JSON.stringify((e as { body?: unknown }).body), /spec\.containers/);
        return true;
      },
    );
  });

  it('writes status only through the status subresource (merge patch), and validates it', async () => {
    const name = uniq('status');
    const spec = { selector: { matchLabels: { app: 'y' } }, containers: [{ name: 'sidecar', image: 'busybox' }] };
    await objects.createClusterCustomObject({ ...GVR, body: sidecarSet(name, spec) });
    // Custom resources refuse strategic merge and the generated client defaults to JSON patch.
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const status = { observedGeneration: 1, matchedPods: 3, updatedPods: 2, readyPods: 1 };
    await objects.patchClusterCustomObjectStatus({ ...GVR, name, body: { status } }, merge);
    const got = (await objects.getClusterCustomObject({ ...GVR, name })) as { status: typeof status; metadata: { generation: number } };
    assert.deepEqual({ ...got.status }, { ...got.status, ...status });
    assert.equal(got.metadata.generation, 1, 'a status write does not bump generation');

    await assert.rejects(
      objects.patchClusterCustomObjectStatus({ ...GVR, name, body: { status: { matchedPods: 'three' } } }, merge),
      (e: unknown) => errorCode(e) === 422,
    );
    // A status change sent to the main resource is ignored, not applied.
    await objects.patchClusterCustomObject({ ...GVR, name, body: { status: { matchedPods: 99 } } }, merge);
    const again = (await objects.getClusterCustomObject({ ...GVR, name })) as { status: typeof status };
    assert.equal(again.status.matchedPods, 3);
  });

  it('creates and renews a coordination.k8s.io/v1 Lease (leader election)', async () => {
    const namespace = await cp!.createNamespace({ prefix: 'lease' });
    const leases = cp!.kubeConfig.makeApiClient(CoordinationV1Api);
    const name = 'sidecarset-leader';
    // MicroTime fields need V1MicroTime: a plain Date serializes with milliseconds, which the
    // apiserver rejects (400 "cannot parse .843Z as .000000").
    const now = new V1MicroTime();
    const created = await leases.createNamespacedLease({
      namespace,
      body: { metadata: { name }, spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0 } },
    });
    assert.equal(created.spec?.holderIdentity, 'pod-a');

    const renewAt = new V1MicroTime(now.getTime() + 2000);
    const renewed = await leases.replaceNamespacedLease({
      name,
      namespace,
      body: { ...created, spec: { ...created.spec, renewTime: renewAt } } as V1Lease,
    });
    assert.notEqual(renewed.metadata?.resourceVersion, created.metadata?.resourceVersion);
    assert.equal(new Date(renewed.spec!.renewTime as unknown as string).getTime(), renewAt.getTime());

    // A second candidate holding a stale resourceVersion must lose (optimistic concurrency).
    await assert.rejects(
      leases.replaceNamespacedLease({ name, namespace, body: { ...created, spec: { ...created.spec, holderIdentity: 'pod-b' } } as V1Lease }),
      (e: unknown) => errorCode(e) === 409,
    );
  });
});
