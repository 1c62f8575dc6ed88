// docs/behaviour/validation.md rules 24 (patchPodMetadata whitelist) and 25 (patchPodMetadata entries), and the
// whitelist ConfigMap parser.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { formatFieldError } from '../../src/field-error.ts';
import { parsePatchMetadataWhitelist, type PatchMetadataWhitelist } from '../../src/validation/patch-metadata-whitelist.ts';
import { defaulted, errorsAfter, errorsOf, QUALIFIED_NAME_MESSAGE } from './validation-helpers.ts';

const patching = (...patches: NonNullable<SidecarSet['spec']['patchPodMetadata']>) => (s: SidecarSet) => {
  s.spec.patchPodMetadata = patches;
};

function whitelist(json: unknown): PatchMetadataWhitelist {
  const { whitelist: parsed, errors } = parsePatchMetadataWhitelist(JSON.stringify(json));
  assert.deepEqual(errors, []);
  return parsed!;
}

const parseErrors = (text: string): string[] => parsePatchMetadataWhitelist(text).errors.map(formatFieldError);

describe('validation: patchPodMetadata whitelist (rule 24)', () => {
  const patch = patching({ annotations: { 'logging.example.com/enabled': 'true', 'other.io/x': 'y' } });

  it('without a whitelist, patching is refused unless allowed by the operator flag', () => {
    assert.deepEqual(errorsAfter(patch), ['spec.patchPodMetadata: Required value: SidecarSet patch metadata whitelist not found']);
    assert.deepEqual(errorsAfter(patch, { allowPatchMetadataWithoutWhitelist: true }), []);
  });

  it('no rule for this SidecarSet: refused unless allowed by the flag', () => {
    const patchMetadataWhitelist = whitelist({ rules: [{ selector: { matchLabels: { team: 'logging' } }, allowedAnnotationKeyExprs: ['.*'] }] });
    assert.deepEqual(errorsAfter(patch, { patchMetadataWhitelist }), ['spec.patchPodMetadata: Required value: sidecarSet patch metadata annotation is not allowed']);
    assert.deepEqual(errorsAfter(patch, { patchMetadataWhitelist, allowPatchMetadataWithoutWhitelist: true }), []);
  });

  it('every key must match a regex (unanchored) of a rule selecting the SidecarSet by its labels', () => {
    const patchMetadataWhitelist = whitelist({
      rules: [
        { selector: { matchLabels: { team: 'logging' } }, allowedAnnotationKeyExprs: ['^other\\.io/'] },
        { allowedAnnotationKeyExprs: ['example.com/enabled'] },
      ],
    });
    assert.deepEqual(errorsAfter(patch, { patchMetadataWhitelist }), ['spec.patchPodMetadata: Required value: sidecarSet patch metadata annotation(other.io/x) is not allowed']);
    assert.deepEqual(errorsAfter((s) => (patch(s), (s.metadata.labels = { team: 'logging' })), { patchMetadataWhitelist }), []);
  });

  it('applies only when patchPodMetadata is set', () => {
    assert.deepEqual(errorsAfter(() => {}), []);
  });
});

describe('validation: patchPodMetadata entries (rule 25)', () => {
  const allowed = { allowPatchMetadataWithoutWhitelist: true };

  it('annotations are required and well-formed', () => {
    assert.deepEqual(errorsAfter(patching({ annotations: {} }), allowed), ['spec.patchPodMetadata: Required value: no annotations defined for SidecarSet']);
    assert.deepEqual(errorsAfter(patching({ annotations: { 'bad key': 'v' } }), allowed), [
      `spec.patchPodMetadata[0].annotations: Invalid value: "bad key": ${QUALIFIED_NAME_MESSAGE}`,
    ]);
  });

  it('a patch policy is required (defaulting sets Retain), and must be a known one', () => {
    assert.deepEqual(errorsAfter(patching({ annotations: { a: 'b' } }), allowed), []);
    const withoutPolicy = defaulted(patching({ annotations: { a: 'b' } }));
    withoutPolicy.spec.patchPodMetadata![0].patchPolicy = '';
    assert.deepEqual(errorsOf(withoutPolicy, allowed), ['spec.patchPodMetadata: Required value: no patchPolicy defined for patchPodMetadata']);
    assert.deepEqual(errorsAfter(patching({ annotations: { a: 'b' }, patchPolicy: 'Replace' }), allowed), [
      'spec.patchPodMetadata[0].patchPolicy: Unsupported value: "Replace": supported values: "Retain", "Overwrite", "MergePatchJson"',
    ]);
  });

  it('the same key in two entries', () => {
    assert.deepEqual(errorsAfter(patching({ annotations: { a: 'b' } }, { annotations: { a: 'c' }, patchPolicy: 'Overwrite' }), allowed), [
      'spec.patchPodMetadata: Required value: patch annotation[a] already exist',
    ]);
  });
});

describe('parsePatchMetadataWhitelist', () => {
  const ROOT = 'data[SidecarSet_PatchPodMetadata_WhiteList]';

  it('parses rules; nulls are absent values, as in Go', () => {
    const parsed = whitelist({ rules: [{ selector: null, allowedAnnotationKeyExprs: ['^a$'] }] });
    assert.equal(parsed.rules.length, 1);
    assert.equal(parsed.rules[0].selector, undefined);
    assert.ok(parsed.rules[0].allowedAnnotationKeys[0].test('a'));
    assert.deepEqual(whitelist(null), { rules: [] });
  });

  it('reports malformed JSON', () => {
    const [error] = parseErrors('{"rules": [');
    assert.match(error, /^data\[SidecarSet_PatchPodMetadata_WhiteList\]: Invalid value: "\{\\"rules\\": \[": invalid JSON: /);
  });

  it('reports wrong structure, bad selectors and bad regexes at their paths', () => {
    assert.deepEqual(parseErrors('{"rules": {"a": 1}}'), [`${ROOT}.rules: Invalid value: "object": ${ROOT}.rules in body must be of type array: "object"`]);
    assert.deepEqual(parseErrors('{"rule": []}'), [`${ROOT}.rule: Forbidden: unknown field "rule"`]);
    assert.deepEqual(parseErrors(JSON.stringify({ rules: [{ selector: { matchExpressions: [{ key: 'a', operator: 'In' }] }, allowedAnnotationKeyExprs: ['(', 'ok'] }] })), [
      `${ROOT}.rules[0].selector.matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
      `${ROOT}.rules[0].allowedAnnotationKeyExprs[0]: Invalid value: "(": error parsing regexp: missing closing ): \`(\``,
    ]);
  });

  it('reads Go (RE2) syntax and refuses what RE2 refuses, backreferences and lookarounds', () => {
    const [rule] = whitelist({ rules: [{ allowedAnnotationKeyExprs: ['(?i)^KRUISE\\.io/'] }] }).rules;
    assert.ok(rule.allowedAnnotationKeys[0].test('kruise.io/x'));
    assert.deepEqual(parseErrors(JSON.stringify({ rules: [{ allowedAnnotationKeyExprs: ['(a)\\1', '(?=a)'] }] })), [
      `${ROOT}.rules[0].allowedAnnotationKeyExprs[0]: Invalid value: "(a)\\\\1": error parsing regexp: invalid escape sequence: \`\\1\``,
      `${ROOT}.rules[0].allowedAnnotationKeyExprs[1]: Invalid value: "(?=a)": error parsing regexp: invalid or unsupported Perl syntax: \`(?=\``,
    ]);
  });

  it('judges a key against a catastrophic-backtracking expression in linear time', () => {
    // `^(a+)+$` on 32 a's and a '!' takes a backtracking engine about 2^32 steps (minutes); RE2 answers at once.
    const list = whitelist({ rules: [{ allowedAnnotationKeyExprs: ['^(a+)+$'] }] });
    const key = `${'a'.repeat(32)}!`;
    const started = performance.now();
    const errors = errorsAfter(patching({ annotations: { [key]: 'x' }, patchPolicy: 'Overwrite' }), { patchMetadataWhitelist: list });
    const elapsed = performance.now() - started;
    assert.ok(errors.includes(`spec.patchPodMetadata: Required value: sidecarSet patch metadata annotation(${key}) is not allowed`), errors.join('\n'));
    // Generous: the linear engine needs well under a millisecond, the old engine minutes.
    assert.ok(elapsed < 10_000, `judged in ${elapsed.toFixed(0)} ms`);
  });
});
