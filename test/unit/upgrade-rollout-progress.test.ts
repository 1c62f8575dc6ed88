// What `sidecarset rollout status` reports: the target the strategy moves, completion, stalls and
// Pods that cannot be upgraded in place.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rolloutProgress } from '../../src/upgrade/rollout-progress.ts';
import { fleet, NAME, sidecarSet } from './upgrade-fixtures.ts';

const observed = (set: ReturnType<typeof sidecarSet>) => {
  set.metadata.generation = 2;
  set.status = { ...set.status!, observedGeneration: 2 };
  return set;
};

describe('rollout progress', () => {
  it('is complete once every Pod the strategy moves is updated and ready', () => {
    const set = observed(sidecarSet({}));
    assert.equal(rolloutProgress(set, fleet(4, 4, 3), Date.now()).complete, false);
    const done = rolloutProgress(set, fleet(4, 4, 4), Date.now());
    assert.deepEqual({ ...done, stalled: done.stalled.length }, { matched: 4, target: 4, updated: 4, updatedReady: 4, notUpgradable: 0, stalled: 0, complete: true, waitingFor: undefined });
  });

  it('leaves the partition out of the target, and waits while paused', () => {
    assert.equal(rolloutProgress(observed(sidecarSet({ partition: 1 })), fleet(4, 3, 3), Date.now()).complete, true);
    const paused = rolloutProgress(observed(sidecarSet({ paused: true })), fleet(4, 1, 1), Date.now());
    assert.equal(paused.waitingFor, 'updateStrategy.paused to be unset');
  });

  it('reports stalled Pods and Pods that cannot be upgraded in place', () => {
    const pods = fleet(3, 1, 0);
    pods[0].metadata.annotations!['kruise.io/sidecarset-hash'] = JSON.stringify({ [NAME]: { updateTimestamp: '2026-01-01T00:00:00Z', hash: 'bbb', sidecarSetName: NAME, sidecarList: ['test-sidecar'] } });
    const stalled = rolloutProgress(observed(sidecarSet({})), pods, Date.parse('2026-01-01T01:00:00Z'));
    assert.deepEqual(stalled.stalled.map((s) => s.pod.metadata.name), ['pod-0']);
    const set = observed(sidecarSet({}, { hash: 'bbb', withoutImage: 'without-bbb' }));
    assert.equal(rolloutProgress(set, fleet(3, 0, 0), Date.now()).notUpgradable, 3);
  });
});
