// The example SidecarSet is valid; each hand-written broken variant fails with exactly its error.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { defaultWellFormed } from '../../src/default-well-formed.ts';
import type { KubeObject } from '../../src/cli/input.ts';
import { DNS1123_LABEL_MESSAGE, errorsOf } from './validation-helpers.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/invalid-sidecarsets');

/** Errors for a file's single SidecarSet, defaulted first as the webhooks (and the CLI) do. */
function errorsOfFile(file: string): string[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  assert.equal(documents.length, 1, `${file} holds one SidecarSet`);
  const object = documents[0].toJS() as KubeObject;
  const result = defaultWellFormed(object);
  return errorsOf('sidecarSet' in result ? result.sidecarSet : object);
}

const EXPECTED: Record<string, string> = {
  'missing-selector.yaml': 'spec.selector: Required value: no selector defined for SidecarSet',
  'uppercase-container-name.yaml': `spec.containers[0].name: Invalid value: "LogAgent": ${DNS1123_LABEL_MESSAGE}`,
  'mount-pod-volume.yaml': 'spec.containers[0].volumeMounts[0].name: Not found: "varlog"',
  'misspelled-field.yaml': 'spec.containers[0].imagePullPolcy: Forbidden: unknown field "imagePullPolcy"',
  'share-volume-policy-case.yaml': 'spec.container.shareVolumePolicy: Invalid value: {"type":"Enabled"}: unsupported share volume policy',
  'transfer-env-from-pod-name.yaml':
    'spec.containers[0].transferEnv[0].sourceContainerNameFrom.fieldRef.fieldPath: Invalid value: "metadata.name": error converting fieldPath: field label not supported: metadata.name',
  'partition-with-selector.yaml':
    'updateStrategy: Invalid value: {"type":"RollingUpdate","partition":1,"selector":{"matchLabels":{"canary":"true"}},"maxUnavailable":1}: Partition and Selector cannot be used together',
  'duplicate-volume-name.yaml': 'spec.volumes[1].name: Duplicate value: "app-logs"',
  'namespaced.yaml': 'metadata.namespace: Forbidden: not allowed on this type',
  'resources-policy.yaml': 'spec.containers[0].resourcesPolicy: Invalid value: {"targetContainersMode":"sum","resourcesExpr":{"limits":{"cpu":"max(cpu*50%, 50m)"}},"targetContainersNameRegex":".*"}: resourcesPolicy and resources cannot be configured together',
};

describe('example and invalid fixtures', () => {
  it('deploy/examples/00-sidecarset.yaml is valid', () => {
    assert.deepEqual(errorsOfFile(path.join(REPO_ROOT, 'deploy/examples/00-sidecarset.yaml')), []);
  });

  it('every fixture has an expected error', () => {
    assert.deepEqual(readdirSync(FIXTURES).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [file, error] of Object.entries(EXPECTED)) {
    it(`${file} fails with exactly its error`, () => {
      assert.deepEqual(errorsOfFile(path.join(FIXTURES, file)), [error]);
    });
  }
});
