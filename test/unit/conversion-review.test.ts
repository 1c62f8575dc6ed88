// ConversionReviews as the apiserver sends them (seeded random batches): every object converted, in
// order, uid echoed; one object that cannot be converted fails the whole review, never a partial list.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertSidecarSet } from '../../src/api/conversion.ts';
import { convertReview } from '../../webhooks/conversion-review.ts';
import { Random, randomSidecarSet } from '../support/random-objects.ts';

const CASES = 300;
const VERSIONS = ['apps.kruise.io/v1alpha1', 'apps.kruise.io/v1beta1'] as const;
const BROKEN: unknown[] = [
  null,
  'SidecarSet',
  { apiVersion: 'apps.kruise.io/v2', kind: 'SidecarSet', metadata: { name: 'v2' } },
  { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'Pod', metadata: { name: 'pod' } },
  { apiVersion: 'apps.kruise.io/v1beta1', kind: 'SidecarSet', metadata: { name: 'spec' }, spec: [] },
];

function batch(r: Random): unknown[] {
  return Array.from({ length: 1 + r.int(6) }, (_, i) => {
    const { sidecarSet } = randomSidecarSet(r, `s${i}`);
    const alpha = { ...sidecarSet, apiVersion: VERSIONS[0], kind: 'SidecarSet' };
    return r.chance(0.5) ? alpha : convertSidecarSet(alpha, 'v1beta1');
  });
}

describe(`ConversionReview (${CASES} seeded random batches each)`, () => {
  it('converts every object, in order, and echoes the uid', () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const r = new Random(seed);
      const objects = batch(r);
      const desired = r.pick(VERSIONS);
      const response = convertReview({ uid: `uid-${seed}`, desiredAPIVersion: desired, objects });
      assert.equal(response.uid, `uid-${seed}`);
      assert.deepEqual(response.result, { status: 'Success' }, `seed ${seed}`);
      assert.equal(response.convertedObjects!.length, objects.length);
      response.convertedObjects!.forEach((object, i) => {
        assert.equal((object as { apiVersion: string }).apiVersion, desired, `seed ${seed} object ${i}`);
        assert.deepEqual(object, convertSidecarSet(objects[i], desired === VERSIONS[0] ? 'v1alpha1' : 'v1beta1'));
      });
    }
  });

  it('fails the whole review when any one object cannot be converted', () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const r = new Random(seed);
      const objects = batch(r);
      const at = r.int(objects.length + 1);
      objects.splice(at, 0, r.pick(BROKEN));
      const response = convertReview({ uid: `uid-${seed}`, desiredAPIVersion: r.pick(VERSIONS), objects });
      assert.equal(response.uid, `uid-${seed}`);
      assert.equal(response.result.status, 'Failure', `seed ${seed}`);
      assert.equal(response.convertedObjects, undefined, `seed ${seed}: no partial list`);
      assert.match((response.result as { message: string }).message, new RegExp(`^objects\\[${at}\\]`), `seed ${seed} names the object`);
    }
  });
});
