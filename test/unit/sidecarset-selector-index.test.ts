// SidecarSets by a label their selector requires (src/sidecarset-selector-index.ts): a superset of
// the SidecarSets that match a Pod, each named once, kept exact through updates and deletes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { compileSidecarSetMatcher } from '../../src/matching.ts';
import { createSidecarSetSelectorIndex } from '../../src/sidecarset-selector-index.ts';

const sidecarSet = (name: string, selector: SidecarSet['spec']['selector']): SidecarSet =>
  ({ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'SidecarSet', metadata: { name }, spec: { selector, containers: [] } }) as SidecarSet;
const sorted = (names: Iterable<string>): string[] => [...names].sort();

describe('SidecarSet selector index', () => {
  const web = sidecarSet('web', { matchLabels: { app: 'web', tier: 'front' } });
  const expressions = sidecarSet('expressions', { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] });
  const malformed = sidecarSet('malformed', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'app', operator: 'Bogus' as 'In', values: [] }] });

  it('names a SidecarSet for Pods carrying its first required label, and selector-less ones for every Pod', () => {
    const index = createSidecarSetSelectorIndex();
    for (const s of [web, expressions, malformed]) index.upsert(s);
    assert.deepEqual(sorted(index.candidates({ app: 'web', tier: 'front' })), ['expressions', 'malformed', 'web']);
    assert.deepEqual(sorted(index.candidates({ app: 'db' })), ['expressions', 'malformed']);
    assert.deepEqual(sorted(index.candidates(undefined)), ['expressions', 'malformed']);
  });

  it('follows updates and deletes', () => {
    const index = createSidecarSetSelectorIndex();
    index.upsert(web);
    index.upsert(sidecarSet('web', { matchLabels: { app: 'api' } }));
    assert.deepEqual(sorted(index.candidates({ app: 'web', tier: 'front' })), []);
    assert.deepEqual(sorted(index.candidates({ app: 'api' })), ['web']);
    index.remove(web);
    assert.deepEqual(sorted(index.candidates({ app: 'api' })), []);
    index.remove(web); // twice: no error
  });

  it('never leaves out a SidecarSet that matches (random selectors and Pods)', () => {
    let seed = 7;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const values = ['a', 'b', 'c'];
    const keys = ['app', 'tier', 'zone'];
    const index = createSidecarSetSelectorIndex();
    const all: SidecarSet[] = [];
    for (let i = 0; i < 200; i++) {
      const matchLabels = Object.fromEntries(keys.filter(() => random(2) === 0).map((key) => [key, values[random(3)]]));
      const matchExpressions = random(3) === 0 ? [{ key: keys[random(3)], operator: 'NotIn' as const, values: [values[random(3)]] }] : [];
      const s = sidecarSet(`s${i}`, { matchLabels, matchExpressions });
      all.push(s);
      index.upsert(s);
    }
    for (let i = 0; i < 500; i++) {
      const labels = Object.fromEntries(keys.filter(() => random(3) !== 0).map((key) => [key, values[random(3)]]));
      const candidates = new Set(index.candidates(labels));
      assert.equal(candidates.size, [...index.candidates(labels)].length, 'each name once');
      for (const s of all) {
        if (compileSidecarSetMatcher(s)(labels, { name: 'ns', labels: {} })) assert.ok(candidates.has(s.metadata.name!), `${s.metadata.name} matches ${JSON.stringify(labels)}`);
      }
    }
  });
});
