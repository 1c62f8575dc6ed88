// Golden injection cases (test/fixtures/injection/*.yaml): the injected Pod, its JSON Patch (applied with
// fast-json-patch it must give the same Pod), warnings, and re-injection of the result changing nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { InjectionError } from '../../src/injection/injection-error.ts';
import { injectionPatch } from '../../src/injection/patch.ts';
import { clusterSidecarSet, loadInjectionCases, runCase, type InjectionCase } from './inject-fixtures.ts';

const cases = loadInjectionCases();

test('there are at least 40 golden cases', () => {
  assert.ok(cases.length >= 40, `${cases.length} cases`);
});

for (const testCase of cases) {
  test(`${testCase.file}: ${testCase.name}`, () => {
    const input = structuredClone(testCase.pod);
    if (testCase.expectedError !== undefined) {
      assert.throws(() => runCase(testCase), (error: unknown) => error instanceof InjectionError && error.message === testCase.expectedError);
      return;
    }
    const result = runCase(testCase);
    const expected = testCase.expected ?? testCase.pod;
    assert.deepEqual(result.pod, expected);
    assert.equal(result.changed, testCase.expected !== undefined);
    assert.deepEqual(testCase.pod, input, 'the input Pod is left untouched');
    assert.deepEqual(result.warnings, testCase.expectedWarnings ?? []);
    if (testCase.expectedInjected) assert.deepEqual(result.injected, testCase.expectedInjected);

    const patch = injectionPatch(testCase.pod, result.changes);
    const patched = jsonpatch.applyPatch(structuredClone(testCase.pod), structuredClone(patch) as jsonpatch.Operation[], true).newDocument;
    assert.deepEqual(patched, expected, 'the patch applied to the input gives the injected Pod');
    if (testCase.expectedPatch) assertPatchShape(patch, testCase.expectedPatch);

    const again = runCase({ ...testCase, now: '2030-01-01T00:00:00Z' }, result.pod, testCase.sidecarSets.map(clusterSidecarSet));
    assert.deepEqual(again.pod, result.pod, 're-injecting the injected Pod changes nothing');
    assert.equal(again.changed, false);
  });
}

/** Same operations in the same order; an expected value "PRESENT" matches any value. */
function assertPatchShape(actual: unknown[], expected: NonNullable<InjectionCase['expectedPatch']>): void {
  const shape = (actual as { op: string; path: string; value?: unknown }[]).map((operation, i) =>
    expected[i]?.value === 'PRESENT' && 'value' in operation ? { ...operation, value: 'PRESENT' } : operation,
  );
  assert.deepEqual(shape, expected);
}
