// Event -> SidecarSet mapping, the drift Event wording and the lease decision.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Namespace, Pod } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { driftEvent } from '../../controllers/drift-report.ts';
import { podChanged, sidecarSetChanged, sidecarSetsForNamespace, sidecarSetsForPod } from '../../src/event-mapping.ts';
import { decideLease } from '../../src/kube/leader-election.ts';

const ss = (name: string, spec: Partial<SidecarSet['spec']>): SidecarSet => ({ metadata: { name, generation: 1 }, spec: { containers: [{ name: 'c' }], ...spec } });
const pod = (labels: Record<string, string>, injected?: string, namespace = 'ns'): Pod => ({
  metadata: { name: 'p', namespace, labels, resourceVersion: '1', ...(injected ? { annotations: { 'kruise.io/sidecarset-injected-list': injected } } : {}) },
  spec: { containers: [{ name: 'app' }] },
});

describe('Pod events -> SidecarSets', () => {
  const sidecarSets = [
    ss('web', { selector: { matchLabels: { app: 'web' } } }),
    ss('db', { selector: { matchLabels: { app: 'db' } } }),
    ss('prod-only', { selector: { matchLabels: { app: 'web' } }, namespaceSelector: { matchLabels: { env: 'prod' } } }),
    ss('broken', { selector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } }),
  ];
  const labels = (ns: string): Record<string, string> => (ns === 'prod' ? { env: 'prod' } : {});

  it('maps by injected-list and by selector, old and new, honouring namespaces', () => {
    assert.deepEqual([...sidecarSetsForPod(pod({ app: 'web' }), undefined, sidecarSets, labels)].sort(), ['web']);
    assert.deepEqual([...sidecarSetsForPod(pod({ app: 'web' }, undefined, 'prod'), undefined, sidecarSets, labels)].sort(), ['prod-only', 'web']);
    assert.deepEqual([...sidecarSetsForPod(pod({ app: 'other' }, 'gone,web'), undefined, sidecarSets, labels)].sort(), ['gone', 'web']);
    // Relabelled from web to db: both are recounted.
    assert.deepEqual([...sidecarSetsForPod(pod({ app: 'db' }), pod({ app: 'web' }), sidecarSets, labels)].sort(), ['db', 'web']);
    // Injected-list changed: the old list counts too.
    assert.deepEqual([...sidecarSetsForPod(pod({}), pod({}, 'web'), sidecarSets, labels)].sort(), ['web']);
  });

  it('ignores Pod updates that change nothing the status reads', () => {
    const a = pod({ app: 'web' });
    assert.equal(podChanged({ ...a, metadata: { ...a.metadata, resourceVersion: '2' } }, a), false);
    assert.equal(podChanged({ ...a, status: { phase: 'Running' } }, a), true);
  });
});

describe('SidecarSet and Namespace events', () => {
  it('requeues a SidecarSet on spec (generation) or metadata changes, not on status writes', () => {
    const a = ss('a', {});
    assert.equal(sidecarSetChanged({ ...a, status: { matchedPods: 1, updatedPods: 0, readyPods: 0 } }, a), false);
    assert.equal(sidecarSetChanged({ ...a, metadata: { ...a.metadata, generation: 2 } }, a), true);
    assert.equal(sidecarSetChanged({ ...a, metadata: { ...a.metadata, labels: { 'apps.kruise.io/sidecarset-custom-version': 'v2' } } }, a), true);
  });

  it('recounts SidecarSets with a namespaceSelector when namespace labels change', () => {
    const sets = [ss('all', {}), ss('selective', { namespaceSelector: { matchLabels: { env: 'prod' } } }), ss('pinned', { namespace: 'x', namespaceSelector: { matchLabels: {} } })];
    const ns = (labels: Record<string, string>): Namespace => ({ metadata: { name: 'n', labels } });
    assert.deepEqual([...sidecarSetsForNamespace(ns({ env: 'prod' }), ns({}), sets)], ['selective']);
    assert.deepEqual([...sidecarSetsForNamespace(ns({ env: 'prod' }), ns({ env: 'prod' }), sets)], []);
    assert.deepEqual([...sidecarSetsForNamespace(ns({}), undefined, sets)], ['selective']);
  });
});

describe('drift Event', () => {
  it('names a few Pods, sorted, and counts the rest', () => {
    const pods = Array.from({ length: 7 }, (_, i) => ({ metadata: { name: `p${6 - i}`, namespace: 'ns' }, spec: { containers: [] } }) as Pod);
    const event = driftEvent(pods);
    assert.equal(event.type, 'Warning');
    assert.equal(event.reason, 'PodsNotInjected');
    assert.match(event.message, /^7 active Pod\(s\)/);
    assert.match(event.message, /ns\/p0, ns\/p1, ns\/p2, ns\/p3, ns\/p4 and 2 more$/);
    assert.deepEqual({ ...driftEvent([]), message: '' }, { type: 'Normal', reason: 'AllPodsInjected', message: '' });
  });
});

describe('lease decisions (client-go rules)', () => {
  const record = (holderIdentity: string, leaseTransitions = 0) => ({ holderIdentity, leaseDurationSeconds: 15, renewTime: '2026-01-01T00:00:00.000Z', acquireTime: '2026-01-01T00:00:00.000Z', leaseTransitions });

  it('takes a missing or free lease, renews its own, waits while another holder is fresh', () => {
    const now = 1_000_000;
    const created = decideLease(undefined, 'me', now, 15);
    assert.equal(created.take, true);
    assert.equal(created.take && created.record.holderIdentity, 'me');
    assert.equal(decideLease({ record: record(''), at: now }, 'me', now, 15).take, true, 'released lease');
    assert.equal(decideLease({ record: record('other'), at: now - 14_000 }, 'me', now, 15).take, false);
    const expired = decideLease({ record: record('other', 4), at: now - 15_001 }, 'me', now, 15);
    assert.equal(expired.take && expired.record.leaseTransitions, 5);
    const renewed = decideLease({ record: record('me', 4), at: now }, 'me', now, 15);
    assert.equal(renewed.take && renewed.record.leaseTransitions, 4);
    assert.equal(renewed.take && renewed.record.acquireTime, '2026-01-01T00:00:00.000Z', 'acquireTime kept on renewal');
  });
});
