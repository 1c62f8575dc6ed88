// Properties of injection over random Pods and SidecarSets (seeded, reproducible): the JSON Patch applied
// to the Pod gives the injected Pod, injecting twice gives the same Pod as injecting once, and the input
// is never modified.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { InjectionError } from '../../src/injection/injection-error.ts';
import { injectPod, type InjectPodInput } from '../../src/injection/inject-pod.ts';
import { injectionPatch } from '../../src/injection/patch.ts';
import { prepareSidecarSets } from '../../src/injection/prepared-sidecarsets.ts';
import { prng } from '../support/prng.ts';
import { Random, randomPod, randomSidecarSet } from '../support/random-objects.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';

const CASES = 400;

function randomInput(seed: number): InjectPodInput {
  const r = new Random(seed);
  const sets = r.some(['alpha', 'beta', 'gamma', 'delta'], 3).map((name) => randomSidecarSet(r, name));
  return {
    pod: randomPod(r),
    namespace: r.chance(0.8) ? { name: 'prod', labels: { env: 'prod' } } : { name: 'default' },
    sidecarSets: sets.map(({ sidecarSet }) => sidecarSet),
    revisions: sets.flatMap(({ revisions }) => revisions),
    now: new Date(Date.UTC(2026, 10, 23, 10, 0, 0)),
    random: prng(seed ^ 0x5bd1e995),
  };
}

test(`patch(pod) applied to pod equals inject(pod), and injecting twice equals injecting once (${CASES} random cases)`, () => {
  let injected = 0;
  let refused = 0;
  for (let seed = 1; seed <= CASES; seed++) {
    const input = randomInput(seed);
    const original = structuredClone(input.pod);
    let result;
    try {
      result = injectPod(input);
    } catch (error) {
      assert.ok(error instanceof InjectionError, `seed ${seed}: ${(error as Error).stack}`);
      refused++;
      continue;
    }
    assert.deepEqual(input.pod, original, `seed ${seed}: input untouched`);
    if (result.changed) injected++;

    const patch = injectionPatch(input.pod, result.changes);
    const patched = jsonpatch.applyPatch(structuredClone(original), structuredClone(patch) as jsonpatch.Operation[], true).newDocument;
    assert.deepEqual(patched, JSON.parse(JSON.stringify(result.pod)), `seed ${seed}: patch applies to the injected Pod`);

    const later = { ...input, pod: result.pod, now: new Date(Date.UTC(2027, 0, 1)), sidecarSets: prepareSidecarSets(input.sidecarSets as SidecarSet[]) };
    const again = injectPod(later);
    assert.deepEqual(again.pod, result.pod, `seed ${seed}: injecting twice equals injecting once`);
    assert.equal(again.changed, false, `seed ${seed}: second injection reports no change`);
  }
  // The generator must exercise injection, not only its refusals.
  assert.ok(injected > CASES / 3, `${injected} of ${CASES} cases injected something`);
  assert.ok(refused < CASES / 4, `${refused} of ${CASES} cases refused`);
});
