// docs/behaviour/validation.md rules 10-11 (Pod and namespace selectors) and the v1alpha1 `spec.namespace` field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DNS1123_LABEL_MESSAGE, errorsAfter, LABEL_VALUE_MESSAGE, QUALIFIED_NAME_MESSAGE } from './validation-helpers.ts';

describe('validation: selectors', () => {
  it('rule 10: a selector is required', () => {
    assert.deepEqual(errorsAfter((s) => delete s.spec.selector), ['spec.selector: Required value: no selector defined for SidecarSet']);
  });

  it('rule 11: an empty selector is refused', () => {
    assert.deepEqual(errorsAfter((s) => (s.spec.selector = {})), ['spec.selector: Invalid value: {}: empty selector is not valid for sidecarset.']);
  });

  it('rule 11: one bad label value gives two errors, the second at <path>.selector', () => {
    assert.deepEqual(errorsAfter((s) => (s.spec.selector = { matchLabels: { app: 'a b' } })), [
      `spec.selector.matchLabels: Invalid value: "a b": ${LABEL_VALUE_MESSAGE}`,
      'spec.selector.selector: Invalid value: {"matchLabels":{"app":"a b"}}',
    ]);
  });

  it('rule 11: matchExpressions operators, values and keys', () => {
    const selector = {
      matchExpressions: [
        { key: 'a', operator: 'In' },
        { key: 'b', operator: 'Exists', values: ['x'] },
        { key: 'c', operator: 'Near' },
        { key: 'bad key', operator: 'NotIn', values: ['-x'] },
      ],
    };
    assert.deepEqual(errorsAfter((s) => (s.spec.selector = selector)), [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator',
      `spec.selector.matchExpressions[3].key: Invalid value: "bad key": ${QUALIFIED_NAME_MESSAGE}`,
      `spec.selector.matchExpressions[3].values[0]: Invalid value: "-x": ${LABEL_VALUE_MESSAGE}`,
      `spec.selector.selector: Invalid value: ${JSON.stringify(selector)}`,
    ]);
  });

  it('rule 11: a namespaceSelector, when set, is checked the same way', () => {
    assert.deepEqual(errorsAfter((s) => (s.spec.namespaceSelector = { matchLabels: { team: 'a' } })), []);
    assert.deepEqual(errorsAfter((s) => (s.spec.namespaceSelector = {})), [
      'spec.namespaceSelector: Invalid value: {}: empty selector is not valid for sidecarset.',
    ]);
  });

  it('spec.namespace must be a namespace name', () => {
    assert.deepEqual(errorsAfter((s) => (s.spec.namespace = 'team-a')), []);
    assert.deepEqual(errorsAfter((s) => (s.spec.namespace = 'Team_A')), [`spec.namespace: Invalid value: "Team_A": ${DNS1123_LABEL_MESSAGE}`]);
  });

  it('spec.namespace and spec.namespaceSelector together are refused, as in Kruise v1.8', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        s.spec.namespace = 'team-a';
        s.spec.namespaceSelector = { matchLabels: { team: 'a' } };
      }),
      ['spec.namespace, namespaceSelector: Required value: namespace and namespaceSelector are mutually exclusive'],
    );
  });
});
