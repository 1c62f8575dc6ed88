// Upgrade order (spec Part B §7.3 step 2): ActivePods, then priority, then scatter, with expected
// orders taken from Kruise's updatesort tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../src/api/core.ts';
import type { UpdateScatterTerm } from '../../src/api/sidecarset.ts';
import { compareActivePods, expandScatterTerms, sortUpgradeCandidates } from '../../src/upgrade/pod-order.ts';
import { pod } from './upgrade-fixtures.ts';

const labelled = (labels: Record<string, string>[]): Pod[] => labels.map((l, i) => pod(String(i), l));
const order = (pods: Pod[]) => pods.map((p) => Number(p.metadata.name));
const scatterOrder = (labels: Record<string, string>[], terms: UpdateScatterTerm[]) => {
  const pods = labelled(labels);
  return order(sortUpgradeCandidates({ scatterStrategy: terms }, pods, pods));
};
const A = { labelA: 'AAA' };
const B = { labelB: 'BBB' };

describe('scatter order (Kruise scatter_sort_test)', () => {
  const single: [string, Record<string, string>[], number[]][] = [
    ['even scattered + even ordinary', [{}, {}, {}, {}, A, A], [4, 0, 1, 2, 3, 5]],
    ['odd scattered + odd ordinary', [{}, {}, {}, A, A, A], [3, 0, 1, 4, 2, 5]],
    ['even scattered + odd ordinary', [{}, {}, {}, A, {}, {}, A], [3, 0, 1, 2, 4, 5, 6]],
    ['odd scattered + even ordinary', [{}, {}, {}, {}, {}, {}, A, A, A], [6, 0, 1, 2, 7, 3, 4, 5, 8]],
    ['more scattered than ordinary (even/even)', [{}, {}, A, A, A, A], [2, 3, 0, 4, 1, 5]],
    ['more scattered than ordinary (even/odd)', [{}, {}, A, {}, A, A, A, A, A], [2, 4, 0, 5, 6, 1, 7, 3, 8]],
    ['more scattered than ordinary (odd/even)', [{}, A, {}, A, {}, {}, A, A, A], [1, 0, 3, 2, 6, 4, 7, 5, 8]],
    ['one scattered Pod only', [A, { other: 'x' }], [0, 1]],
  ];
  for (const [name, labels, expected] of single) it(name, () => assert.deepEqual(scatterOrder(labels, [{ key: 'labelA', value: 'AAA' }]), expected));

  const multi: [string, Record<string, string>[], UpdateScatterTerm[], number[]][] = [
    ['two dimensions, one label per Pod', [B, B, {}, {}, A, A], [{ key: 'labelA', value: 'AAA' }, { key: 'labelB', value: 'BBB' }], [0, 4, 2, 3, 5, 1]],
    ['two dimensions, one Pod with both', [{}, {}, {}, B, { ...A, ...B }, A], [{ key: 'labelA', value: 'AAA' }, { key: 'labelB', value: 'BBB' }], [4, 0, 1, 2, 5, 3]],
    ['same counts keep the strategy order: B then A', [{}, {}, {}, {}, { s: 'e' }, { d: 's' }, B, A, A, B], [{ key: 'labelB', value: 'BBB' }, { key: 'labelA', value: 'AAA' }], [7, 6, 0, 1, 2, 3, 4, 5, 9, 8]],
    ['same counts keep the strategy order: A then B', [{}, {}, {}, {}, { s: 'e' }, { d: 's' }, B, A, A, B], [{ key: 'labelA', value: 'AAA' }, { key: 'labelB', value: 'BBB' }], [6, 7, 0, 1, 2, 3, 4, 5, 8, 9]],
  ];
  for (const [name, labels, terms, expected] of multi) it(name, () => assert.deepEqual(scatterOrder(labels, terms), expected));

  it('expands value "*" to every value the matched Pods carry, without duplicates', () => {
    const pods = labelled([{ zone: 'a' }, { zone: 'b' }, { zone: 'a' }, {}]);
    assert.deepEqual(expandScatterTerms([{ key: 'zone', value: '*' }, { key: 'zone', value: 'a' }], pods), [
      { key: 'zone', value: 'a' },
      { key: 'zone', value: 'b' },
    ]);
  });
});

describe('priority order', () => {
  it('weight: the sum of matching terms, higher first, ties in the order given', () => {
    const pods = labelled([{ key: 'bar' }, { key: 'foo' }, {}, { key: 'foo' }]);
    const sorted = sortUpgradeCandidates(
      { priorityStrategy: { weightPriority: [{ weight: 20, matchSelector: { matchLabels: { key: 'foo' } } }, { weight: 10, matchSelector: { matchLabels: { key: 'bar' } } }] } },
      pods,
      pods,
    );
    assert.deepEqual(order(sorted), [1, 3, 0, 2]);
  });
  it('order: Pods without any ordered key first, then by key index, then by the trailing number, higher first', () => {
    const pods = labelled([{ key2: 'v9' }, { key1: 'v1' }, { key1: 'v10' }, {}, { key2: 'x' }]);
    const sorted = sortUpgradeCandidates({ priorityStrategy: { orderPriority: [{ orderedKey: 'key1' }, { orderedKey: 'key2' }] } }, pods, pods);
    assert.deepEqual(order(sorted), [3, 2, 1, 0, 4]);
  });
});

describe('ActivePods order', () => {
  const variant = (name: string, change: (p: Pod) => void) => {
    const p = pod(name);
    change(p);
    return p;
  };
  it('unassigned < assigned, Pending < Running, not ready < ready, ready later < earlier, more restarts first, newer first', () => {
    const pods = [
      variant('old', (p) => (p.metadata.creationTimestamp = '2025-01-01T00:00:00Z')),
      variant('ready-long', (p) => (p.status!.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }])),
      variant('ready-recently', (p) => (p.status!.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-06-01T00:00:00Z' }])),
      variant('restarted', (p) => (p.status!.containerStatuses![1].restartCount = 3)),
      variant('not-ready', (p) => (p.status!.conditions = [{ type: 'Ready', status: 'False' }])),
      variant('pending', (p) => (p.status!.phase = 'Pending')),
      variant('unassigned', (p) => (p.spec.nodeName = undefined)),
    ];
    const sorted = [...pods].sort(compareActivePods).map((p) => p.metadata.name);
    assert.deepEqual(sorted.slice(0, 3), ['unassigned', 'pending', 'not-ready']);
    assert.ok(sorted.indexOf('ready-recently') < sorted.indexOf('ready-long'));
    assert.ok(sorted.indexOf('restarted') < sorted.indexOf('old'));
  });
});
