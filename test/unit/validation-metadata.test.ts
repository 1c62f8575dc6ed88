// docs/behaviour/validation.md rules 1-3 (metadata) and the refusal of canary SidecarSets (docs/behaviour/scope.md).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { defaulted, errorsAfter, errorsOf, LABEL_VALUE_MESSAGE, QUALIFIED_NAME_MESSAGE, sidecarSet } from './validation-helpers.ts';

const NAME_MESSAGE = "sidecarset name must consist of alphanumeric characters or '-' (e.g. 'example-com', regex used for validation is '^[a-zA-Z0-9\\-]+$')";

describe('validation: metadata', () => {
  it('accepts the valid SidecarSet, uppercase letters in the name included (rule 1)', () => {
    assert.deepEqual(errorsOf(defaulted()), []);
    assert.deepEqual(errorsOf(defaultSidecarSet(sidecarSet('Log-Agent-2'))), []);
  });

  it('rule 1: a name with other characters than alphanumerics and "-"', () => {
    assert.deepEqual(errorsOf(defaultSidecarSet(sidecarSet('log.agent'))), [`metadata.name: Invalid value: "log.agent": ${NAME_MESSAGE}`]);
  });

  it('rule 2: a name longer than 63 characters', () => {
    const name = 'a'.repeat(64);
    assert.deepEqual(errorsOf(defaultSidecarSet(sidecarSet(name))), [`metadata.name: Invalid value: "${name}": must be no more than 63 characters`]);
  });

  it('rule 3: a name is required', () => {
    assert.deepEqual(errorsOf(defaultSidecarSet(sidecarSet(''))), ['metadata.name: Required value: name or generateName is required']);
  });

  it('rule 3: a cluster-scoped object has no namespace', () => {
    assert.deepEqual(errorsAfter((s) => (s.metadata.namespace = 'default')), ['metadata.namespace: Forbidden: not allowed on this type']);
  });

  it('rule 3: label keys and values', () => {
    assert.deepEqual(errorsAfter((s) => (s.metadata.labels = { 'bad key': 'ok', good: 'bad value' })), [
      `metadata.labels: Invalid value: "bad key": ${QUALIFIED_NAME_MESSAGE}`,
      `metadata.labels: Invalid value: "bad value": ${LABEL_VALUE_MESSAGE}`,
    ]);
  });

  it('rule 3: annotation keys (checked lowercased) and their total size', () => {
    assert.deepEqual(errorsAfter((s) => (s.metadata.annotations = { 'Example.COM/Key': 'v' })), []);
    assert.deepEqual(errorsAfter((s) => (s.metadata.annotations = { 'a/b/c': 'v' })), [
      `metadata.annotations: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ]);
    assert.deepEqual(errorsAfter((s) => (s.metadata.annotations = { big: 'x'.repeat(256 * 1024) })), [
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ]);
  });

  it('rule 3: generation may not be negative', () => {
    assert.deepEqual(errorsAfter((s) => (s.metadata.generation = -1)), ['metadata.generation: Invalid value: -1: must be greater than or equal to 0']);
  });

  it('refuses the canary annotations, each of them, as not supported yet', () => {
    assert.deepEqual(
      errorsAfter((s) => (s.metadata.annotations = { 'apps.kruise.io/sidecarset-canary': 'true', 'apps.kruise.io/sidecarset-base': 'base' })),
      [
        'metadata.annotations[apps.kruise.io/sidecarset-canary]: Forbidden: canary SidecarSets are not supported yet',
        'metadata.annotations[apps.kruise.io/sidecarset-base]: Forbidden: canary SidecarSets are not supported yet',
      ],
    );
  });
});
