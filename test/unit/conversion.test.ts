// SidecarSet conversion between v1alpha1 and v1beta1: Kruise 1.9's rules, and round trips that are the
// identity (seeded random objects; the seed is in the message of a failure).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANNOTATION_V1ALPHA1_NAMESPACE_SCOPE, ConversionError, convertSidecarSet, toModel } from '../../src/api/conversion.ts';
import type { LabelSelector } from '../../src/api/core.ts';
import { LABEL_CUSTOM_VERSION, type SidecarSet, type SidecarSetV1beta1 } from '../../src/api/sidecarset.ts';
import { Random, randomSidecarSet } from '../support/random-objects.ts';

const CASES = 500;
const ALPHA = 'apps.kruise.io/v1alpha1';
const BETA = 'apps.kruise.io/v1beta1';
const NAME_LABEL = 'kubernetes.io/metadata.name';

const alpha = (spec: SidecarSet['spec'], metadata: SidecarSet['metadata'] = { name: 's' }): SidecarSet => ({ apiVersion: ALPHA, kind: 'SidecarSet', metadata, spec });
const beta = (spec: SidecarSetV1beta1['spec'], metadata: SidecarSet['metadata'] = { name: 's' }): SidecarSetV1beta1 => ({ apiVersion: BETA, kind: 'SidecarSet', metadata, spec });

function randomAlpha(seed: number): SidecarSet {
  const r = new Random(seed);
  const { sidecarSet } = randomSidecarSet(r, r.pick(['a', 'b', 'c']));
  const metadata: SidecarSet['metadata'] = { ...sidecarSet.metadata, uid: `uid-${seed}`, resourceVersion: String(seed), generation: 1 + r.int(5) };
  const labels: Record<string, string> = {};
  if (r.chance(0.5)) labels[LABEL_CUSTOM_VERSION] = r.pick(['v1', 'v2', '']);
  if (r.chance(0.5)) labels.team = r.pick(['x', 'y']);
  if (Object.keys(labels).length > 0) metadata.labels = labels;
  if (r.chance(0.3)) metadata.annotations = { ...metadata.annotations, 'example.com/note': 'n' };
  const spec = { ...sidecarSet.spec };
  delete spec.namespace;
  delete spec.namespaceSelector;
  if (r.chance(0.4)) spec.namespace = r.pick(['default', 'prod']);
  if (r.chance(0.4)) spec.namespaceSelector = r.pick<LabelSelector>([{ matchLabels: { env: 'prod' } }, { matchLabels: { [NAME_LABEL]: 'prod' } }, { matchExpressions: [{ key: NAME_LABEL, operator: 'In', values: ['a', 'b'] }] }]);
  const status = r.chance(0.7) ? { observedGeneration: 1, matchedPods: r.int(4), updatedPods: r.int(4), readyPods: r.int(4), updatedReadyPods: r.int(4), latestRevision: 'a-1', collisionCount: r.int(2) } : undefined;
  return { apiVersion: ALPHA, kind: 'SidecarSet', metadata, spec, ...(status ? { status } : {}) };
}

/** v1beta1 objects v1alpha1 can represent: no custom-version label next to spec.customVersion (v1alpha1 has one place for both). */
function randomBeta(seed: number): SidecarSetV1beta1 {
  const r = new Random(seed ^ 0x9e3779b9);
  const object = convertSidecarSet(randomAlpha(seed), 'v1beta1') as SidecarSetV1beta1;
  if (r.chance(0.3)) {
    object.spec.customVersion = r.pick(['v3', 'v4']);
    if (object.metadata.labels) delete object.metadata.labels[LABEL_CUSTOM_VERSION];
    if (object.metadata.labels && Object.keys(object.metadata.labels).length === 0) delete object.metadata.labels;
  }
  if (r.chance(0.3)) {
    object.spec.namespaceSelector = { matchLabels: { [NAME_LABEL]: r.pick(['prod', 'dev']) } };
    if (object.metadata.annotations) delete object.metadata.annotations[ANNOTATION_V1ALPHA1_NAMESPACE_SCOPE];
    if (object.metadata.annotations && Object.keys(object.metadata.annotations).length === 0) delete object.metadata.annotations;
  }
  return object;
}

describe('conversion rules (Kruise 1.9)', () => {
  it('v1alpha1 spec.namespace becomes a kubernetes.io/metadata.name selector, and comes back', () => {
    const converted = convertSidecarSet(alpha({ namespace: 'prod', selector: { matchLabels: { app: 'a' } } }), 'v1beta1') as SidecarSetV1beta1;
    assert.equal(converted.apiVersion, BETA);
    assert.deepEqual(converted.spec, { selector: { matchLabels: { app: 'a' } }, namespaceSelector: { matchLabels: { [NAME_LABEL]: 'prod' } } });
    assert.deepEqual(converted.metadata.annotations, { [ANNOTATION_V1ALPHA1_NAMESPACE_SCOPE]: '{"namespace":"prod"}' });
    assert.deepEqual(convertSidecarSet(converted, 'v1alpha1'), alpha({ namespace: 'prod', selector: { matchLabels: { app: 'a' } } }));
  });

  it('spec.namespace wins over a namespaceSelector set next to it, which v1alpha1 gets back', () => {
    const original = alpha({ namespace: 'prod', namespaceSelector: { matchLabels: { env: 'x' } } });
    const converted = convertSidecarSet(original, 'v1beta1') as SidecarSetV1beta1;
    assert.deepEqual(converted.spec.namespaceSelector, { matchLabels: { [NAME_LABEL]: 'prod' } });
    assert.deepEqual(convertSidecarSet(converted, 'v1alpha1'), original);
  });

  it('a v1beta1 selector edited after conversion makes the recorded scope stale: Kruise’s rule applies', () => {
    const converted = convertSidecarSet(alpha({ namespace: 'prod' }), 'v1beta1') as SidecarSetV1beta1;
    converted.spec.namespaceSelector = { matchLabels: { env: 'x' } };
    assert.deepEqual(convertSidecarSet(converted, 'v1alpha1'), alpha({ namespaceSelector: { matchLabels: { env: 'x' } } }));
  });

  it('the custom-version label becomes spec.customVersion and back; an empty label stays a label', () => {
    const labelled = alpha({}, { name: 's', labels: { [LABEL_CUSTOM_VERSION]: 'v2', team: 'x' } });
    assert.deepEqual(convertSidecarSet(labelled, 'v1beta1'), beta({ customVersion: 'v2' }, { name: 's', labels: { team: 'x' } }));
    assert.deepEqual(convertSidecarSet(beta({ customVersion: 'v2' }), 'v1alpha1'), alpha({}, { name: 's', labels: { [LABEL_CUSTOM_VERSION]: 'v2' } }));
    const empty = alpha({}, { name: 's', labels: { [LABEL_CUSTOM_VERSION]: '' } });
    assert.deepEqual((convertSidecarSet(empty, 'v1beta1') as SidecarSetV1beta1).spec, {});
  });

  it('a v1beta1 namespaceSelector without the annotation stays a selector in v1alpha1', () => {
    const selector = { matchLabels: { [NAME_LABEL]: 'prod' } };
    assert.deepEqual(toModel(beta({ namespaceSelector: selector })), alpha({ namespaceSelector: selector }));
  });

  it('status is copied field by field; the same version is a copy', () => {
    const status = { observedGeneration: 3, matchedPods: 2, updatedPods: 1, readyPods: 1, updatedReadyPods: 1, latestRevision: 's-x', collisionCount: 0 };
    assert.deepEqual(convertSidecarSet({ ...alpha({}), status }, 'v1beta1'), { ...beta({}), status });
    const object = beta({ customVersion: 'v1' });
    const copy = convertSidecarSet(object, 'v1beta1');
    assert.deepEqual(copy, object);
    assert.notEqual(copy, object);
  });

  it('refuses what is not a SidecarSet of a served version', () => {
    for (const [object, message] of [
      [null, 'not a JSON object'],
      [{ apiVersion: 'apps.kruise.io/v2', kind: 'SidecarSet' }, 'apiVersion "apps.kruise.io/v2" is not one of apps.kruise.io/v1beta1, apps.kruise.io/v1alpha1'],
      [{ apiVersion: ALPHA, kind: 'Pod' }, 'kind "Pod" is not SidecarSet'],
      [{ apiVersion: ALPHA, kind: 'SidecarSet', spec: [] }, 'spec is not an object'],
    ] as const) {
      assert.throws(() => convertSidecarSet(object, 'v1beta1'), (error: unknown) => error instanceof ConversionError && error.message === message);
    }
  });

  it('never modifies its input', () => {
    const original = alpha({ namespace: 'prod' }, { name: 's', labels: { [LABEL_CUSTOM_VERSION]: 'v1' } });
    const before = structuredClone(original);
    convertSidecarSet(original, 'v1beta1');
    assert.deepEqual(original, before);
  });
});

describe(`round trips (${CASES} seeded random objects each)`, () => {
  it('v1alpha1 -> v1beta1 -> v1alpha1 is the identity', () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const original = randomAlpha(seed);
      const there = convertSidecarSet(original, 'v1beta1') as SidecarSetV1beta1;
      assert.equal((there.spec as { namespace?: string }).namespace, undefined, `seed ${seed}: v1beta1 has no spec.namespace`);
      assert.deepEqual(convertSidecarSet(there, 'v1alpha1'), original, `seed ${seed}`);
    }
  });

  it('v1beta1 -> v1alpha1 -> v1beta1 is the identity where v1alpha1 can represent the object', () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const original = randomBeta(seed);
      assert.deepEqual(convertSidecarSet(convertSidecarSet(original, 'v1alpha1'), 'v1beta1'), original, `seed ${seed}`);
    }
  });
});
