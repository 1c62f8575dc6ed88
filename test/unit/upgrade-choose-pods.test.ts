// Choosing the Pods of one upgrade round (spec Part B §7.3), with the counts of Kruise's
// TestGetNextUpgradePods table, and the in-flight accounting we add.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { choosePodsToUpgrade } from '../../src/upgrade/choose-pods.ts';
import { maxUnavailableCount, partitionCount } from '../../src/upgrade/rollout-counts.ts';
import { fleet, shuffled, sidecarSet } from './upgrade-fixtures.ts';

describe('partition and maxUnavailable counts', () => {
  it('rounds a percentage partition up but lets one Pod move below 100%', () => {
    assert.equal(partitionCount(undefined, 10), 0);
    assert.equal(partitionCount(3, 10), 3);
    assert.equal(partitionCount(30, 10), 10);
    assert.equal(partitionCount('18%', 1000), 180);
    assert.equal(partitionCount('1%', 5), 1);
    assert.equal(partitionCount('99%', 5), 4);
    assert.equal(partitionCount('100%', 5), 5);
    assert.equal(partitionCount('99%', 1), 1);
    assert.equal(partitionCount('12.5%', 8), 1);
    assert.equal(partitionCount('x%', 8), 0);
  });
  it('rounds a percentage maxUnavailable up, defaults to 1 and reads a broken value as 0', () => {
    assert.equal(maxUnavailableCount(undefined, 10), 1);
    assert.equal(maxUnavailableCount(0, 10), 0);
    assert.equal(maxUnavailableCount('5%', 6), 1);
    assert.equal(maxUnavailableCount('25%', 20), 5);
    assert.equal(maxUnavailableCount('10%', 1000), 100);
    assert.equal(maxUnavailableCount('abc', 10), 0);
  });
});

describe('choosePodsToUpgrade (Kruise TestGetNextUpgradePods counts)', () => {
  const cases: { name: string; pods: () => ReturnType<typeof fleet>; strategy: NonNullable<Parameters<typeof sidecarSet>[0]>; upgrade: number; notUpgradable?: number; upgradable?: boolean }[] = [
    { name: 'maxUnavailable 10, 100 Pods, 30 updated, 26 of them ready', pods: () => fleet(100, 30, 26), strategy: { maxUnavailable: 10 }, upgrade: 6 },
    { name: 'maxUnavailable 10%, 1000 Pods, 300 updated, 260 ready', pods: () => fleet(1000, 300, 260), strategy: { maxUnavailable: '10%' }, upgrade: 60 },
    { name: 'maxUnavailable 5%, 1000 Pods, 300 updated, 250 ready: budget spent', pods: () => fleet(1000, 300, 250), strategy: { maxUnavailable: '5%' }, upgrade: 0 },
    { name: 'maxUnavailable 100, 100 Pods, 30 updated, 27 ready', pods: () => fleet(100, 30, 27), strategy: { maxUnavailable: 100 }, upgrade: 70 },
    { name: 'partition 180, maxUnavailable 100, 1000 Pods, 800 updated, 760 ready', pods: () => fleet(1000, 800, 760), strategy: { maxUnavailable: 100, partition: 180 }, upgrade: 20 },
    { name: 'partition 100, maxUnavailable 100', pods: () => fleet(1000, 800, 760), strategy: { maxUnavailable: 100, partition: 100 }, upgrade: 60 },
    { name: 'partition 18%, maxUnavailable 100', pods: () => fleet(1000, 800, 760), strategy: { maxUnavailable: 100, partition: '18%' }, upgrade: 20 },
    { name: 'partition 10%, maxUnavailable 100', pods: () => fleet(1000, 800, 760), strategy: { maxUnavailable: 100, partition: '10%' }, upgrade: 60 },
    {
      name: 'selector app=test on 30 of 1000 Pods',
      pods: () => fleet(1000, 0, 0).map((p, i) => (i < 30 ? { ...p, metadata: { ...p.metadata, labels: { app: 'test' } } } : p)),
      strategy: { maxUnavailable: 100, selector: { matchLabels: { app: 'test' } } },
      upgrade: 30,
    },
    { name: 'non-image fields changed: every Pod not upgradable', pods: () => fleet(100, 0, 0), strategy: { maxUnavailable: 100 }, upgrade: 0, notUpgradable: 100, upgradable: false },
    { name: 'maxUnavailable 5% of 5 Pods rounds up to 1', pods: () => fleet(5, 0, 0), strategy: { maxUnavailable: '5%' }, upgrade: 1 },
    { name: 'maxUnavailable 5, partition 99% of 5 Pods keeps 4', pods: () => fleet(5, 0, 0), strategy: { maxUnavailable: 5, partition: '99%' }, upgrade: 1 },
    { name: 'maxUnavailable 5, partition 1% of 5 Pods keeps 1', pods: () => fleet(5, 0, 0), strategy: { maxUnavailable: 5, partition: '1%' }, upgrade: 4 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const set = sidecarSet(c.strategy, c.upgradable === false ? { hash: 'bbb', withoutImage: 'without-bbb' } : undefined);
      const choice = choosePodsToUpgrade(set, shuffled(c.pods()));
      assert.equal(choice.upgrade.length, c.upgrade);
      assert.equal(choice.notUpgradable.length, c.notUpgradable ?? 0);
    });
  }

  it('takes Pods that are not ready without spending the budget', () => {
    const pods = fleet(6, 1, 0); // pod-0 updated, not yet restarted: the budget of 1 is spent
    pods[3].status!.conditions = [{ type: 'Ready', status: 'False' }];
    pods[4].status!.phase = 'Pending';
    const choice = choosePodsToUpgrade(sidecarSet({ maxUnavailable: 1 }), pods);
    assert.deepEqual(choice.upgrade.map((p) => p.metadata.name).sort(), ['pod-3', 'pod-4']);
  });

  it('skips a Pod whose sidecar is Ready but not yet restarted onto its spec image', () => {
    const pods = fleet(3, 0, 0);
    pods[0].spec.containers[1].image = 'test-image:v0'; // spec moved, the kubelet has not acted yet
    pods[0].metadata.annotations!['kruise.io/sidecarset-inplace-update-state'] = JSON.stringify({ [sidecarSet().metadata.name!]: { revision: 'x', updateTimestamp: null, lastContainerStatuses: { 'test-sidecar': { imageID: pods[0].status!.containerStatuses![1].imageID } } } });
    const choice = choosePodsToUpgrade(sidecarSet({ maxUnavailable: 3 }), pods);
    assert.deepEqual(choice.upgrade.map((p) => p.metadata.name).sort(), ['pod-1', 'pod-2']);
  });

  it('never chooses a Pod in flight and counts it against maxUnavailable', () => {
    const pods = fleet(10, 0, 0);
    const inFlight = new Set(['pod-0', 'pod-1']);
    const choice = choosePodsToUpgrade(sidecarSet({ maxUnavailable: 3 }), pods, (p) => inFlight.has(p.metadata.name!));
    assert.equal(choice.upgrade.length, 1);
    assert.ok(choice.upgrade.every((p) => !inFlight.has(p.metadata.name!)));
    assert.equal(choice.unavailable, 2);
  });

  it('chooses nothing when maxUnavailable is 0 and every Pod is ready', () => {
    assert.equal(choosePodsToUpgrade(sidecarSet({ maxUnavailable: 0 }), fleet(4, 0, 0)).upgrade.length, 0);
  });
});
