// The comparison of the differential tier, tested on its own (no oracle binary needed): a fixture pair
// that differs fails it and names where; noise and deliberate differences do not; and a stand-in oracle
// with one rule broken makes the tier fail on generated cases, shrunk to a minimal input.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { compareCase } from './compare.ts';
import { DIFFERENCES } from './differences.ts';
import { generateCases, MUTATIONS, Random, randomSidecarSet, type OracleCase } from './generator.ts';
import { judge, shrink } from './judge.ts';
import type { Oracle, OracleAnswer } from './oracle-process.ts';
import { oursOutcome, splitAggregate, type Outcome } from './sides.ts';

const injectCase = generateCases(7, 50).find((c) => c.kind === 'inject')!;
const pod = (containers: string[], hash = '{"mesh":{"updateTimestamp":"2026-01-01T00:00:00Z","hash":"h","sidecarSetName":"mesh"}}'): Outcome => ({
  allowed: true,
  object: { metadata: { annotations: { 'kruise.io/sidecarset-hash': hash } }, spec: { containers: containers.map((name) => ({ name })) } },
});

test('a fixture pair that differs fails the comparison, naming the path and both values', () => {
  const verdict = compareCase(injectCase, pod(['envoy', 'app']), pod(['app', 'envoy']));
  assert.equal(verdict.status, 'different');
  assert.match(verdict.status === 'different' ? verdict.diff : '', /\.object\.spec\.containers\[0\]\.name:\n\s+ours:\s+"envoy"\n\s+kruise: "app"/);
});

test('a refusal against an admission differs; so do different field errors', () => {
  const validate: OracleCase = { kind: 'validate', operation: 'CREATE', sidecarSet: {}, others: [], revisions: [] };
  assert.equal(compareCase(validate, { allowed: true }, { allowed: false, code: 500, errors: ['spec.selector: Required value'] }).status, 'different');
  const verdict = compareCase(validate, { allowed: false, code: 422, errors: ['spec.containers[0].name: Invalid value: "A"'] }, { allowed: false, code: 500, errors: ['spec.containers[0].name: Invalid value: "a"'] });
  assert.equal(verdict.status, 'different');
});

test('the hash entries\' wall-clock timestamps are noise, not a difference', () => {
  const other = '{"mesh":{"updateTimestamp":"2026-12-02T01:02:03Z","hash":"h","sidecarSetName":"mesh"}}';
  assert.deepEqual(compareCase(injectCase, pod(['app']), pod(['app'], other)), { status: 'identical' });
  const otherHash = '{"mesh":{"updateTimestamp":"2026-12-02T01:02:03Z","hash":"h2","sidecarSetName":"mesh"}}';
  assert.equal(compareCase(injectCase, pod(['app']), pod(['app'], otherHash)).status, 'different');
});

test('a deliberate difference explains itself by name, and only itself', () => {
  const validate: OracleCase = { kind: 'validate', operation: 'CREATE', sidecarSet: {}, others: [], revisions: [] };
  const ours: Outcome = { allowed: false, code: 422, errors: ['spec.selector: Required value: no selector defined for SidecarSet'] };
  const kruise: Outcome = { allowed: false, code: 500, errors: ['spec.selector: Required value: no selector defined for SidecarSet'] };
  assert.deepEqual(compareCase(validate, ours, kruise), { status: 'documented', differences: ['denials are 4xx'] });
  const unknown: Outcome = { allowed: false, code: 422, errors: ['spec.containers[0]: Forbidden: unknown field "imagePullPolcy"'] };
  assert.deepEqual(compareCase(validate, unknown, { allowed: true }), { status: 'documented', differences: ['unknown fields refused'] });
  assert.equal(compareCase(validate, ours, { allowed: true }).status, 'different');
});

test('Kruise\'s aggregate of field errors splits back into its errors', () => {
  assert.deepEqual(splitAggregate('spec.selector: Required value: no selector'), ['spec.selector: Required value: no selector']);
  assert.deepEqual(splitAggregate('[metadata.name: Invalid value: "a_b": a, b, or c, spec.containers[0].image: Required value, spec: Required value: x]'), [
    'metadata.name: Invalid value: "a_b": a, b, or c',
    'spec.containers[0].image: Required value',
    'spec: Required value: x',
  ]);
});

test('docs/kruise-differences.md lists every deliberate difference of the comparison by name', () => {
  const doc = fs.readFileSync(new URL('../../docs/kruise-differences.md', import.meta.url), 'utf8');
  for (const { name } of DIFFERENCES) assert.match(doc, new RegExp(`\\*\\*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\*\\*`), name);
});

/** A stand-in for the Kruise oracle: our own validation with the podInjectPolicy rule broken, as in a scratch copy. */
const brokenOracle: Oracle = {
  async ask(request): Promise<OracleAnswer> {
    assert.equal(request.op, 'validate');
    const outcome = oursOutcome({
      kind: 'validate',
      operation: request.operation ?? 'CREATE',
      sidecarSet: request.object,
      oldSidecarSet: request.oldObject,
      others: (request.sidecarSets ?? []) as never[],
      revisions: (request.revisions ?? []) as never[],
      whitelist: request.whitelist,
    });
    const errors = (outcome.errors ?? []).filter((error) => !error.includes('podInjectPolicy'));
    if (errors.length === 0) return { allowed: true };
    return { allowed: false, code: 500, message: errors.length === 1 ? errors[0] : `[${errors.join(', ')}]` };
  },
};

test('a broken rule makes generated cases fail, and the failing case shrinks to a minimal input', async () => {
  const r = new Random(11);
  const sidecarSet = randomSidecarSet(r, 'mesh');
  sidecarSet.spec.volumes = [{ name: 'data', emptyDir: {} }];
  sidecarSet.spec.imagePullSecrets = [{ name: 's1' }];
  MUTATIONS.podInjectPolicy(sidecarSet, r);
  const failing: OracleCase = { kind: 'validate', operation: 'CREATE', sidecarSet, others: [randomSidecarSet(r, 'sc-a')], revisions: [] };
  const verdict = await judge(brokenOracle, failing);
  assert.equal(verdict.status, 'different');

  const shrunk = await shrink(brokenOracle, failing);
  assert.equal(shrunk.verdict.status, 'different');
  const minimal = shrunk.case as Extract<OracleCase, { kind: 'validate' }>;
  const spec = (minimal.sidecarSet as { spec: Record<string, any> }).spec;
  assert.equal(spec.containers.length, 1, JSON.stringify(minimal));
  assert.equal(spec.containers[0].podInjectPolicy, 'Middle');
  assert.ok(Object.keys(spec).every((key) => key === 'containers' || key === 'selector'), `nothing the failure does not need is left: ${JSON.stringify(spec)}`);
  assert.deepEqual(minimal.others, []);
  assert.ok(JSON.stringify(minimal).length < JSON.stringify(failing).length / 2);
});
