// Label selectors (metav1 semantics) and which SidecarSets apply to which Pods.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { compileSelector, isEmptySelector, LabelSelectorError, selectorMatches } from '../../src/label-selector.ts';
import { compileSidecarSetMatcher, isActivePod, podNamespaceName, type PodNamespace } from '../../src/matching.ts';

/** A one-off match through the compiled matcher the webhook and the controller use. */
const sidecarSetMatchesPod = (sidecarSet: SidecarSet, pod: Pod, namespace: PodNamespace): boolean => compileSidecarSetMatcher(sidecarSet)(pod.metadata?.labels, namespace);

describe('selectorMatches', () => {
  const labels = { app: 'web', tier: 'front' };
  const cases: [string, Parameters<typeof selectorMatches>[0], boolean][] = [
    ['nil selects nothing', undefined, false],
    ['empty selects everything', {}, true],
    ['matchLabels equal', { matchLabels: { app: 'web' } }, true],
    ['matchLabels differ', { matchLabels: { app: 'db' } }, false],
    ['matchLabels on a missing key', { matchLabels: { zone: 'a' } }, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['back', 'front'] }] }, true],
    ['In on a missing key', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    ['NotIn', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    ['NotIn on a missing key', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['everything is ANDed', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, false],
    ['an inherited property is not a label', { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, false],
  ];
  for (const [what, selector, expected] of cases) {
    it(what, () => assert.equal(selectorMatches(selector, labels), expected));
  }

  it('matches nothing but an empty selector when the object has no labels', () => {
    assert.equal(selectorMatches({}, undefined), true);
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, undefined), true);
    assert.equal(selectorMatches({ matchLabels: { app: 'web' } }, undefined), false);
  });

  it('refuses malformed requirements as metav1 does', () => {
    assert.throws(() => compileSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), LabelSelectorError);
    assert.throws(() => compileSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), LabelSelectorError);
    assert.throws(() => compileSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }), /"Gt" is not a valid label selector operator/);
  });

  it('tells empty selectors apart', () => {
    assert.equal(isEmptySelector(undefined), true);
    assert.equal(isEmptySelector({ matchLabels: {}, matchExpressions: [] }), true);
    assert.equal(isEmptySelector({ matchLabels: { a: 'b' } }), false);
  });
});

describe('compileSidecarSetMatcher', () => {
  const pod: Pod = { metadata: { name: 'p', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [] } };
  const sidecarSet = (spec: SidecarSet['spec']): SidecarSet => ({ metadata: { name: 's' }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec } });
  const shop = { name: 'shop', labels: { env: 'prod' } };

  it('needs a non-empty selector that matches the Pod', () => {
    assert.equal(sidecarSetMatchesPod(sidecarSet({}), pod, shop), true);
    assert.equal(sidecarSetMatchesPod(sidecarSet({ selector: {} }), pod, shop), false);
    assert.equal(sidecarSetMatchesPod(sidecarSet({ selector: undefined }), pod, shop), false);
  });

  it('honours spec.namespace by name, over any namespaceSelector', () => {
    assert.equal(sidecarSetMatchesPod(sidecarSet({ namespace: 'shop' }), pod, { name: 'shop' }), true);
    assert.equal(sidecarSetMatchesPod(sidecarSet({ namespace: 'other', namespaceSelector: { matchLabels: { env: 'prod' } } }), pod, shop), false);
  });

  it('matches a namespaceSelector against known namespace labels only', () => {
    const selecting = sidecarSet({ namespaceSelector: { matchLabels: { env: 'prod' } } });
    assert.equal(sidecarSetMatchesPod(selecting, pod, shop), true);
    assert.equal(sidecarSetMatchesPod(selecting, pod, { name: 'shop' }), false);
    assert.equal(sidecarSetMatchesPod(sidecarSet({ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'Bad' }] } }), pod, shop), false);
  });

  it('throws for a malformed Pod selector only when the namespace matched', () => {
    const broken = sidecarSet({ namespace: 'shop', selector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } });
    assert.throws(() => sidecarSetMatchesPod(broken, pod, shop), /SidecarSet "s": spec.selector: key "app"/);
    assert.equal(sidecarSetMatchesPod(broken, pod, { name: 'elsewhere' }), false);
  });
});

describe('Pods', () => {
  it('are active unless Succeeded, Failed or being deleted', () => {
    const base: Pod = { metadata: {}, spec: { containers: [] } };
    assert.equal(isActivePod(base), true);
    assert.equal(isActivePod({ ...base, status: { phase: 'Running' } }), true);
    assert.equal(isActivePod({ ...base, status: { phase: 'Succeeded' } }), false);
    assert.equal(isActivePod({ ...base, status: { phase: 'Failed' } }), false);
    assert.equal(isActivePod({ ...base, metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }), false);
  });

  it('take their namespace from the request when they name none', () => {
    assert.equal(podNamespaceName({ metadata: { namespace: 'a' }, spec: { containers: [] } }, 'b'), 'a');
    assert.equal(podNamespaceName({ metadata: {}, spec: { containers: [] } }, 'b'), 'b');
    assert.equal(podNamespaceName({ metadata: {}, spec: { containers: [] } }), 'default');
  });
});
