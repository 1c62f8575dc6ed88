// Whole rollouts run through the pure core: each round is planned, its writes applied as the
// apiserver applies JSON patches, and a kubelet stand-in restarts changed sidecars; the status
// sequences are those of Kruise's TestUpdateColdUpgradeSidecar and TestUpdateHotUpgradeSidecar.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { calculateStatus } from '../../src/status/sidecarset-status.ts';
import { hotUpgradeReset, podUpgrade } from '../../src/upgrade/pod-upgrade.ts';
import { planUpgradeRound } from '../../src/upgrade/upgrade-round.ts';
import { applyPodPatch, NAME, pod, restartChangedSidecars, sidecarSet, V1_ID, V2_ID } from './upgrade-fixtures.ts';

const NOW = new Date('2026-12-01T10:00:00Z');
const counts = (set: SidecarSet, pods: Pod[]) => {
  const s = calculateStatus(set, pods, { latestRevision: 'r', collisionCount: 0 });
  return [s.matchedPods, s.updatedPods, s.readyPods, s.updatedReadyPods ?? 0];
};

/** One reconcile as Kruise orders it: status first, then the writes of the round. */
function reconcile(set: SidecarSet, pods: Pod[]): { status: number[]; pods: Pod[] } {
  const status = counts(set, pods);
  const round = planUpgradeRound(set, pods);
  let next = pods;
  if (round.action === 'upgrade') next = pods.map((p) => (round.upgrade.includes(p) ? applyPodPatch(p, podUpgrade(set, p, NOW).operations) : p));
  if (round.action === 'reset') next = pods.map((p) => (round.pods.includes(p) ? applyPodPatch(p, hotUpgradeReset(set, p, NOW).operations) : p));
  return { status, pods: next };
}

describe('cold upgrade rollout', () => {
  it('follows Kruise status sequence [2,0,2,0] -> [2,1,1,0] -> [2,1,2,1] -> [2,2,1,1] -> [2,2,2,2]', () => {
    const set = sidecarSet({ maxUnavailable: 1 });
    let pods = [pod('pod-1'), pod('pod-2')];
    const seen: number[][] = [];
    for (let round = 0; round < 5; round++) {
      const result = reconcile(set, pods);
      seen.push(result.status);
      pods = result.pods;
      // The kubelet acts between rounds, after the writes of the round before.
      if (round === 1 || round === 3) pods = pods.map((p) => restartChangedSidecars(p));
    }
    assert.deepEqual(seen, [
      [2, 0, 2, 0],
      [2, 1, 1, 0],
      [2, 1, 2, 1],
      [2, 2, 1, 1],
      [2, 2, 2, 2],
    ]);
    assert.ok(pods.every((p) => p.spec.containers[1].image === 'test-image:v2'));
    assert.deepEqual(planUpgradeRound(set, pods), { action: 'none', reason: 'Complete' });
  });

  it('never has more than maxUnavailable Pods updated but unavailable, and completes', () => {
    for (const maxUnavailable of [1, 3, '25%'] as const) {
      const set = sidecarSet({ maxUnavailable });
      let pods = Array.from({ length: 20 }, (_, i) => pod(`pod-${i}`));
      const limit = typeof maxUnavailable === 'number' ? maxUnavailable : 5;
      for (let round = 0; round < 100 && counts(set, pods)[3] < 20; round++) {
        pods = reconcile(set, pods).pods;
        const [, updated, , updatedReady] = counts(set, pods);
        assert.ok(updated - updatedReady <= limit, `round ${round}: ${updated - updatedReady} updated but unavailable > ${limit}`);
        // Restart only some each time, so Pods finish at different rounds.
        pods = pods.map((p, i) => ((i + round) % 3 === 0 ? restartChangedSidecars(p) : p));
      }
      assert.deepEqual(counts(set, pods), [20, 20, 20, 20], `maxUnavailable ${maxUnavailable}`);
    }
  });

  it('leaves the partition on the old image, and moves nothing while paused or NotUpdate', () => {
    let pods = Array.from({ length: 10 }, (_, i) => pod(`pod-${i}`));
    const set = sidecarSet({ maxUnavailable: 10, partition: 5 });
    for (let round = 0; round < 5; round++) pods = reconcile(set, pods).pods.map((p) => restartChangedSidecars(p));
    assert.equal(pods.filter((p) => p.spec.containers[1].image === 'test-image:v1').length, 5);
    assert.deepEqual(planUpgradeRound(sidecarSet({ paused: true }), pods), { action: 'none', reason: 'Paused' });
    assert.deepEqual(planUpgradeRound(sidecarSet({ type: 'NotUpdate' }), pods), { action: 'none', reason: 'NotUpdate' });
  });

  it('completes a re-tag with the same digest when the runtime reports the fully qualified name', () => {
    const set = sidecarSet({ maxUnavailable: 1 });
    set.spec.containers![0].image = 'test-image:v1-alias';
    let [p] = [pod('pod-1')];
    p = reconcile(set, [p]).pods[0];
    assert.equal(p.spec.containers[1].image, 'test-image:v1-alias');
    // Same digest: the imageID does not change; the runtime reports the normalised name.
    p.status!.containerStatuses![1].image = 'docker.io/library/test-image:v1-alias';
    assert.deepEqual(counts(set, [p]), [1, 1, 1, 1]);
  });
});

describe('hot upgrade rollout', () => {
  const EMPTY = 'empty:1.0';
  function hotSet(): SidecarSet {
    const set = sidecarSet({ maxUnavailable: 1 });
    set.spec.containers = [{ name: 'test-sidecar', image: 'test-image:v2', upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: EMPTY } }];
    return set;
  }
  function hotPod(): Pod {
    const p = pod('hot');
    p.spec.containers = [{ name: 'nginx', image: 'nginx:1.15.1' }, { name: 'test-sidecar-1', image: 'test-image:v1' }, { name: 'test-sidecar-2', image: EMPTY }];
    p.status!.containerStatuses = [
      p.status!.containerStatuses![0],
      { name: 'test-sidecar-1', image: 'test-image:v1', imageID: V1_ID, ready: true },
      { name: 'test-sidecar-2', image: EMPTY, imageID: 'docker-pullable://empty@sha256:' + '0'.repeat(64), ready: true },
    ];
    Object.assign(p.metadata.annotations!, {
      'kruise.io/sidecarset-working-hotupgrade-container': JSON.stringify({ 'test-sidecar': 'test-sidecar-1' }),
      'version.sidecarset.kruise.io/test-sidecar-1': '1',
      'versionalt.sidecarset.kruise.io/test-sidecar-1': '0',
      'version.sidecarset.kruise.io/test-sidecar-2': '0',
      'versionalt.sidecarset.kruise.io/test-sidecar-2': '1',
    });
    return p;
  }

  it('upgrades the idle half, flips the working container, resets the old half, as [1,0,1,0] -> [1,1,0,0] -> [1,1,0,0] -> [1,1,1,1]', () => {
    const set = hotSet();
    let pods = [hotPod()];
    const seen: number[][] = [];
    let result = reconcile(set, pods);
    seen.push(result.status);
    pods = result.pods;
    const annotations = pods[0].metadata.annotations!;
    assert.equal(pods[0].spec.containers[2].image, 'test-image:v2');
    assert.equal(annotations['kruise.io/sidecarset-working-hotupgrade-container'], '{"test-sidecar":"test-sidecar-2"}');
    assert.equal(annotations['version.sidecarset.kruise.io/test-sidecar-2'], '777');
    assert.equal(annotations['versionalt.sidecarset.kruise.io/test-sidecar-2'], '1', "the new half's peer is the old half's version");
    assert.equal(annotations['versionalt.sidecarset.kruise.io/test-sidecar-1'], '777');

    pods = pods.map((p) => restartChangedSidecars(p)); // the new half starts
    result = reconcile(set, pods);
    seen.push(result.status);
    pods = result.pods;
    assert.equal(pods[0].spec.containers[1].image, EMPTY, 'the old half is reset to the empty image');
    assert.equal(pods[0].metadata.annotations!['version.sidecarset.kruise.io/test-sidecar-1'], '0');
    assert.equal(pods[0].metadata.annotations!['versionalt.sidecarset.kruise.io/test-sidecar-2'], '0');

    result = reconcile(set, pods);
    seen.push(result.status);
    pods = result.pods.map((p) => restartChangedSidecars(p, { [EMPTY]: 'docker-pullable://empty@sha256:' + '1'.repeat(64) }));
    seen.push(reconcile(set, pods).status);
    assert.deepEqual(seen, [
      [1, 0, 1, 0],
      [1, 1, 0, 0],
      [1, 1, 0, 0],
      [1, 1, 1, 1],
    ]);
  });
});

describe('the Pod write', () => {
  it('changes only the image, records the pre-update imageID and the new hash entry, under a resourceVersion test', () => {
    const set = sidecarSet({});
    set.spec.patchPodMetadata = [{ annotations: { 'example.com/owner': 'team-a' }, patchPolicy: 'Overwrite' }];
    const before = pod('p');
    before.metadata.resourceVersion = '42';
    const { operations, changedContainers } = podUpgrade(set, before, NOW);
    assert.deepEqual(changedContainers, ['test-sidecar']);
    assert.deepEqual(operations[0], { op: 'test', path: '/metadata/resourceVersion', value: '42' });
    const specOps = operations.filter((o) => o.path.startsWith('/spec'));
    assert.deepEqual(specOps, [{ op: 'replace', path: '/spec/containers/1/image', value: 'test-image:v2' }]);
    const after = applyPodPatch(before, operations);
    const a = after.metadata.annotations!;
    assert.equal(
      a['kruise.io/sidecarset-hash'],
      `{"${NAME}":{"updateTimestamp":"2026-12-01T10:00:00Z","hash":"bbb","sidecarSetName":"${NAME}","sidecarList":["test-sidecar"],"controllerRevision":"${NAME}-rev2"}}`,
    );
    assert.equal(a['kruise.io/sidecarset-hash-without-image'], before.metadata.annotations!['kruise.io/sidecarset-hash-without-image']);
    assert.equal(a['kruise.io/sidecarset-inplace-update-state'], `{"${NAME}":{"revision":"bbb","updateTimestamp":"2026-12-01T10:00:00Z","lastContainerStatuses":{"test-sidecar":{"imageID":"${V1_ID}"}}}}`);
    assert.equal(a['example.com/owner'], 'team-a');
    assert.deepEqual(JSON.parse(a['sidecarset.kruise.io/upgrade-state']), { [NAME]: { state: 'Upgrading', hash: 'bbb', since: '2026-12-01T10:00:00Z' } });
    assert.throws(() => applyPodPatch({ ...before, metadata: { ...before.metadata, resourceVersion: '43' } }, operations), /test/i);
  });

  it('keeps the first revision and timestamp of an existing in-place state entry (Kruise quirk)', () => {
    const before = pod('p');
    before.metadata.annotations!['kruise.io/sidecarset-inplace-update-state'] = `{"${NAME}":{"revision":"old","updateTimestamp":"2025-01-01T00:00:00Z","lastContainerStatuses":{"test-sidecar":{"imageID":"x"}}}}`;
    const after = applyPodPatch(before, podUpgrade(sidecarSet({}), before, NOW).operations);
    assert.equal(after.metadata.annotations!['kruise.io/sidecarset-inplace-update-state'], `{"${NAME}":{"revision":"old","updateTimestamp":"2025-01-01T00:00:00Z","lastContainerStatuses":{"test-sidecar":{"imageID":"${V1_ID}"}}}}`);
  });

  it('converts a legacy hash annotation pair to the current format', () => {
    const before = pod('p');
    before.metadata.annotations!['kruise.io/sidecarset-hash'] = `{"${NAME}":"aaa"}`;
    before.metadata.annotations!['kruise.io/sidecarset-hash-without-image'] = `{"${NAME}":"without-aaa"}`;
    const after = applyPodPatch(before, podUpgrade(sidecarSet({}), before, NOW).operations);
    assert.equal(after.metadata.annotations!['kruise.io/sidecarset-hash-without-image'], `{"${NAME}":{"updateTimestamp":"2026-12-01T10:00:00Z","hash":"without-aaa","sidecarSetName":"${NAME}","sidecarList":null}}`);
  });

  it('upgrades a native sidecar init container in place, never a plain init container', () => {
    const set = sidecarSet({});
    set.spec.initContainers = [{ name: 'native', image: 'native:v2', restartPolicy: 'Always' }, { name: 'plain', image: 'plain:v2' }];
    const before = pod('p');
    before.spec.initContainers = [{ name: 'plain', image: 'plain:v1' }, { name: 'native', image: 'native:v1', restartPolicy: 'Always' }];
    before.status!.initContainerStatuses = [{ name: 'native', image: 'native:v1', imageID: 'native-id-1', ready: true }];
    const { operations, changedContainers } = podUpgrade(set, before, NOW);
    assert.deepEqual(changedContainers.sort(), ['native', 'test-sidecar']);
    assert.ok(operations.some((o) => o.op === 'replace' && o.path === '/spec/initContainers/1/image' && o.value === 'native:v2'));
    assert.ok(!operations.some((o) => o.path.startsWith('/spec/initContainers/0')));
    const after = applyPodPatch(before, operations);
    assert.match(after.metadata.annotations!['kruise.io/sidecarset-inplace-update-state'], /"native":\{"imageID":"native-id-1"\}/);
    assert.match(after.metadata.annotations!['kruise.io/sidecarset-hash'], /"sidecarList":\["native","test-sidecar"\]/);
  });
});
