// docs/behaviour/validation.md rules 9 and 15 (updateStrategy) and 12-14 (injectionStrategy.revision).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControllerRevision } from '../../src/api/core.ts';
import { errorsAfter } from './validation-helpers.ts';

const PERCENT_MESSAGE = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

const revision = (name: string, number: number, labels: Record<string, string> = {}): ControllerRevision => ({
  metadata: { name, namespace: 'kruise-system', labels: { 'kruise.io/sidecarset-name': 'log-agent', ...labels } },
  revision: number,
});

describe('validation: updateStrategy', () => {
  it('rule 9 is lifted: native sidecar init containers are allowed under RollingUpdate (upgraded in place)', () => {
    const nativeSidecar = { name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always' };
    assert.deepEqual(errorsAfter((s) => (s.spec.initContainers = [nativeSidecar, { ...nativeSidecar, name: 'proxy-2' }])), []);
  });

  it('rule 15a: partition and selector cannot be combined, a string partition counts as set', () => {
    const selector = { matchLabels: { canary: 'true' } };
    assert.deepEqual(errorsAfter((s) => (s.spec.updateStrategy = { selector, partition: 0 })), []);
    assert.deepEqual(errorsAfter((s) => (s.spec.updateStrategy = { selector, partition: '0%' })), [
      'updateStrategy: Invalid value: {"selector":{"matchLabels":{"canary":"true"}},"partition":"0%","type":"RollingUpdate","maxUnavailable":1}: Partition and Selector cannot be used together',
    ]);
  });

  it('rule 15b: the update selector is checked like spec.selector', () => {
    assert.deepEqual(errorsAfter((s) => (s.spec.updateStrategy = { selector: {} })), [
      'spec.updateStrategy.selector: Invalid value: {}: empty selector is not valid for sidecarset.',
    ]);
  });

  it('rule 15c: partition and maxUnavailable are non-negative ints or percentages; 0 and >100% pass', () => {
    assert.deepEqual(errorsAfter((s) => (s.spec.updateStrategy = { partition: -1, maxUnavailable: '50' })), [
      'spec.updateStrategy.partition: Invalid value: -1: must be greater than or equal to 0',
      `spec.updateStrategy.maxUnavailable: Invalid value: "50": ${PERCENT_MESSAGE}`,
    ]);
    assert.deepEqual(errorsAfter((s) => (s.spec.updateStrategy = { partition: '150%', maxUnavailable: 0 })), []);
  });

  it('rule 15d: priorityStrategy, every problem reported', () => {
    const priorityStrategy = {
      orderPriority: [{ orderedKey: '' }],
      weightPriority: [
        { weight: 101, matchSelector: {} },
        { weight: 0, matchSelector: { matchLabels: { tier: 'a b' } } },
      ],
    };
    assert.deepEqual(errorsAfter((s) => (s.spec.updateStrategy = { priorityStrategy })), [
      'spec.updateStrategy.priorityStrategy: Required value: only one of weightPriority and orderPriority can be used',
      'spec.updateStrategy.priorityStrategy: Required value: weight must be valid number in the range 1-100',
      'spec.updateStrategy.priorityStrategy: Required value: selector can not be empty',
      `spec.updateStrategy.priorityStrategy: Required value: invalid selector matchLabels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      'spec.updateStrategy.priorityStrategy: Required value: order key can not be empty',
    ]);
  });

  it('rule 15e: scatterStrategy keys must be set and terms unique', () => {
    const scatterStrategy = [
      { key: 'zone', value: 'a' },
      { key: 'zone', value: 'a' },
      { key: '', value: 'b' },
    ];
    assert.deepEqual(errorsAfter((s) => (s.spec.updateStrategy = { scatterStrategy })), [
      'spec.updateStrategy.scatterStrategy: Required value: duplicated key=zone value=a',
      'spec.updateStrategy.scatterStrategy: Required value: key should not be empty',
    ]);
  });

  it('rule 15: nothing is checked unless the type is RollingUpdate', () => {
    assert.deepEqual(errorsAfter((s) => (s.spec.updateStrategy = { type: 'NotUpdate', partition: -1, selector: {}, scatterStrategy: [{ key: '', value: '' }] })), []);
  });
});

describe('validation: injectionStrategy.revision', () => {
  it('rule 12: revisionName or customVersion is needed', () => {
    assert.deepEqual(errorsAfter((s) => (s.spec.injectionStrategy = { revision: {} })), [
      'revision: Invalid value: {"policy":"Always"}: revisionName and customVersion cannot be empty simultaneously',
    ]);
  });

  it('rule 13: the pinned revision must exist', () => {
    const revisions = [revision('log-agent-abc', 1, { 'apps.kruise.io/sidecarset-custom-version': 'v1' })];
    assert.deepEqual(errorsAfter((s) => (s.spec.injectionStrategy = { revision: { revisionName: 'log-agent-abc' } }), { revisions }), []);
    assert.deepEqual(errorsAfter((s) => (s.spec.injectionStrategy = { revision: { customVersion: 'v1' } }), { revisions }), []);
    assert.deepEqual(errorsAfter((s) => (s.spec.injectionStrategy = { revision: { revisionName: 'log-agent-xyz' } }), { revisions }), [
      'revision: Invalid value: null: Cannot find specific ControllerRevision, err: controllerrevisions.apps "log-agent-xyz" not found',
    ]);
  });

  it('rule 13: so a new SidecarSet cannot pin a customVersion', () => {
    assert.deepEqual(errorsAfter((s) => (s.spec.injectionStrategy = { revision: { customVersion: 'v2' } })), [
      'revision: Invalid value: null: Cannot find specific ControllerRevision, err: no ControllerRevision of SidecarSet log-agent has label apps.kruise.io/sidecarset-custom-version=v2',
    ]);
  });

  it('rule 14: an unknown policy is refused by the schema enum', () => {
    const revisions = [revision('log-agent-abc', 1)];
    assert.deepEqual(errorsAfter((s) => (s.spec.injectionStrategy = { revision: { revisionName: 'log-agent-abc', policy: 'Sometimes' } }), { revisions }), [
      'spec.injectionStrategy.revision.policy: Unsupported value: "Sometimes": supported values: "Always", "Partial"',
    ]);
  });
});
