// The admission warning for a SidecarSet UPDATE that cannot reach running Pods in place, and the
// stall detection that explains a rollout which stopped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { nonImageChanges, nonImageChangeWarning } from '../../src/upgrade/non-image-changes.ts';
import { findStalledPods, stallDeadline } from '../../src/upgrade/stalled-pods.ts';
import { sanitizeWarning } from '../../webhooks/warnings.ts';
import { NAME, pod, sidecarSet } from './upgrade-fixtures.ts';

const defaulted = (spec: Partial<SidecarSet['spec']>): SidecarSet =>
  defaultSidecarSet({ metadata: { name: NAME }, spec: { selector: { matchLabels: { app: 'sidecar' } }, ...spec } } as SidecarSet);

describe('non-image changes of a SidecarSet UPDATE', () => {
  const before = defaulted({ containers: [{ name: 'test-sidecar', image: 'test-image:v1', env: [{ name: 'A', value: '1' }] }] });

  it('finds nothing when only images changed', () => {
    const after = defaulted({ containers: [{ name: 'test-sidecar', image: 'test-image:v2', env: [{ name: 'A', value: '1' }] }] });
    assert.deepEqual(nonImageChanges(before, after), []);
    assert.equal(nonImageChangeWarning(before, after, []), undefined);
  });

  it('names the fields and counts the running Pods that keep the previous sidecars', () => {
    const after = defaulted({ containers: [{ name: 'test-sidecar', image: 'test-image:v2', env: [{ name: 'A', value: '2' }], command: ['run'] }] });
    assert.deepEqual(nonImageChanges(before, after), ['spec.containers[0].command', 'spec.containers[0].env']);
    after.metadata.annotations = { 'kruise.io/sidecarset-hash-without-image': 'without-new' };
    const pods = [pod('a'), pod('b'), pod('c')];
    pods[2].status!.phase = 'Succeeded'; // not running: not counted
    const warning = nonImageChangeWarning(before, after, pods)!;
    assert.equal(warning, '2 running Pod(s) keep the previous sidecars until recreated; not in-place: containers[0].command, containers[0].env');
    assert.equal(sanitizeWarning(warning), warning, 'fits one admission warning');
  });
});

describe('stalled rollouts', () => {
  it('reports updated Pods not ready past the deadline, with the runtime reason', () => {
    const set = sidecarSet({});
    set.metadata.annotations!['sidecarset.kruise.io/upgrade-stall-deadline-seconds'] = '60';
    assert.equal(stallDeadline(set), 60_000);
    const stuck = pod('stuck');
    stuck.metadata.annotations!['kruise.io/sidecarset-hash'] = JSON.stringify({ [NAME]: { updateTimestamp: '2026-12-01T10:00:00Z', hash: 'bbb', sidecarSetName: NAME, sidecarList: ['test-sidecar'] } });
    stuck.spec.containers[1].image = 'test-image:pull-error';
    stuck.status!.conditions = [{ type: 'Ready', status: 'False' }];
    stuck.status!.containerStatuses![1] = { name: 'test-sidecar', image: 'test-image:pull-error', imageID: '', ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } };
    const at = (iso: string) => new Date(iso).getTime();
    assert.deepEqual(findStalledPods(set, [stuck, pod('fine')], at('2026-12-01T10:00:59Z')), []);
    const stalled = findStalledPods(set, [stuck, pod('fine')], at('2026-12-01T10:01:00Z'));
    assert.deepEqual(stalled.map((s) => [s.pod.metadata.name, s.reason]), [['stuck', 'ImagePullBackOff']]);
  });

  it('falls back to 10 minutes when the annotation is not a number of seconds', () => {
    const set = sidecarSet({});
    set.metadata.annotations!['sidecarset.kruise.io/upgrade-stall-deadline-seconds'] = '10m';
    assert.equal(stallDeadline(set), 600_000);
  });
});
