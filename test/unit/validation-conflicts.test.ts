// docs/behaviour/validation.md rules 26-27 (UPDATE) and 28-31 (conflicts with other SidecarSets), with the
// selector-overlap heuristic and the namespace overlap they rely on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LabelSelector } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { isNamespaceOverlapping, isSelectorOverlapping } from '../../src/validation/selector-overlap.ts';
import { defaulted, errorsAfter, errorsOf } from './validation-helpers.ts';

const other = (name: string, change: (sidecarSet: SidecarSet) => void = () => {}): SidecarSet => defaulted(change, name);

describe('validation: UPDATE rules', () => {
  const update = (oldObject: SidecarSet) => ({ operation: 'UPDATE' as const, oldObject });

  it('rule 26: containers cannot be added or renamed, only removed', () => {
    const oldObject = defaulted((s) => s.spec.containers!.push({ name: 'shipper', image: 'busybox:1.36' }));
    assert.deepEqual(errorsOf(defaulted(), update(oldObject)), []);
    assert.deepEqual(errorsAfter((s) => s.spec.containers!.push({ name: 'extra', image: 'busybox:1.36' }), update(defaulted())), [
      'spec.containers.name: Invalid value: "extra": container extra is not found',
    ]);
  });

  it('rule 27: upgradeType is immutable once set', () => {
    const hot = (s: SidecarSet) => (s.spec.containers![0].upgradeStrategy = { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: 'busybox:1.36' });
    assert.deepEqual(errorsAfter(hot, update(defaulted())), ['spec.containers.upgradeStrategy.upgradeType: Invalid value: "agent": container agent upgradeType is immutable']);
    const unset = defaulted();
    delete unset.spec.containers![0].upgradeStrategy;
    assert.deepEqual(errorsAfter(hot, update(unset)), []);
  });

  it('does not apply on CREATE', () => {
    assert.deepEqual(errorsAfter((s) => (s.spec.containers![0].name = 'renamed'), { oldObject: defaulted() }), []);
  });
});

describe('validation: conflicts with other SidecarSets', () => {
  it('rule 28: an init container name used by an overlapping SidecarSet', () => {
    const init = (s: SidecarSet) => (s.spec.initContainers = [{ name: 'setup', image: 'busybox:1.36' }]);
    const network = other('network', (s) => (init(s), (s.spec.containers![0].name = 'proxy')));
    assert.deepEqual(errorsAfter(init, { others: [network] }), [`spec.containers: Invalid value: "setup": container setup is already injected by SidecarSet network: its selector app=web overlaps this one's app=web`]);
  });

  it('rule 29: a container name used by an overlapping SidecarSet; init versus container is not checked', () => {
    assert.deepEqual(errorsAfter(() => {}, { others: [other('b-logs'), other('a-logs')] }), [
      `spec.containers: Invalid value: "agent": container agent is already injected by SidecarSet a-logs: its selector app=web overlaps this one's app=web`,
      `spec.containers: Invalid value: "agent": container agent is already injected by SidecarSet b-logs: its selector app=web overlaps this one's app=web`,
    ]);
    const asInit = other('setup', (s) => (s.spec.initContainers = [{ name: 'agent', image: 'busybox:1.36' }]));
    asInit.spec.containers![0].name = 'other';
    assert.deepEqual(errorsAfter(() => {}, { others: [asInit] }), []);
  });

  it('skips itself by name', () => {
    assert.deepEqual(errorsAfter(() => {}, { others: [other('log-agent')] }), []);
  });

  it('rule 30: the same volume name must have the same definition', () => {
    const rename = (s: SidecarSet) => (s.spec.containers![0].name = 'shipper');
    assert.deepEqual(errorsAfter(() => {}, { others: [other('shipper', rename)] }), []);
    const hostLogs = other('shipper', (s) => (rename(s), (s.spec.volumes![0] = { name: 'logs', hostPath: { path: '/var/log' } })));
    assert.deepEqual(errorsAfter(() => {}, { others: [hostLogs] }), [`spec.volumes: Invalid value: "logs": volume logs is defined differently by SidecarSet shipper: its selector app=web overlaps this one's app=web`]);
  });

  it('rule 31: the same patched annotation conflicts when either side overwrites', () => {
    const patch = (patchPolicy: string) => (s: SidecarSet) => (s.spec.patchPodMetadata = [{ annotations: { 'example.com/a': 'x' }, patchPolicy }]);
    const allowed = { allowPatchMetadataWithoutWhitelist: true };
    const theirs = (patchPolicy: string) => other('theirs', (s) => (patch(patchPolicy)(s), (s.spec.containers![0].name = 'shipper')));
    const errors = (mine: string, theirPolicy: string) => errorsAfter(patch(mine), { ...allowed, others: [theirs(theirPolicy)] });
    const conflict = [`spec.patchPodMetadata: Invalid value: "example.com/a": annotation example.com/a is also patched by SidecarSet theirs: its selector app=web overlaps this one's app=web`];
    assert.deepEqual(errors('Overwrite', 'MergePatchJson'), conflict);
    assert.deepEqual(errors('MergePatchJson', 'Overwrite'), conflict);
    assert.deepEqual(errors('MergePatchJson', 'MergePatchJson'), []);
    assert.deepEqual(errors('Retain', 'Overwrite'), []);
  });

  it('only SidecarSets with overlapping Pod selectors and namespaces count', () => {
    assert.deepEqual(errorsAfter(() => {}, { others: [other('db', (s) => (s.spec.selector = { matchLabels: { app: 'db' } }))] }), []);
    const inNamespace = (namespace: string) => (s: SidecarSet) => (s.spec.namespace = namespace);
    assert.deepEqual(errorsAfter(inNamespace('a'), { others: [other('b', inNamespace('b'))] }), []);
    assert.deepEqual(errorsAfter(inNamespace('a'), { others: [other('a', inNamespace('a'))] }), [
      `spec.containers: Invalid value: "agent": container agent is already injected by SidecarSet a: its selector app=web overlaps this one's app=web, and its namespace a overlaps this one's namespace a`,
    ]);
  });

  it('is skipped when any other rule failed', () => {
    assert.deepEqual(errorsAfter((s) => (s.metadata.namespace = 'x'), { others: [other('a')] }), ['metadata.namespace: Forbidden: not allowed on this type']);
  });

  it('reads malformed others without crashing', () => {
    const broken = [null, 5, { metadata: 'x' }, { metadata: { name: 'y' }, spec: { containers: 'agent', selector: { matchExpressions: [{}] } } }];
    assert.deepEqual(errorsAfter(() => {}, { others: broken as unknown as SidecarSet[] }), []);
  });
});

describe('isSelectorOverlapping', () => {
  const labels = (matchLabels: Record<string, string>): LabelSelector => ({ matchLabels });
  const expression = (key: string, operator: string, values?: string[]): LabelSelector => ({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });

  it('different values of the same key are disjoint', () => {
    assert.equal(isSelectorOverlapping(labels({ a: 'b' }), labels({ a: 'c' })), false);
    assert.equal(isSelectorOverlapping(labels({ a: 'b', c: 'd' }), labels({ a: 'x', c: 'd' })), false);
  });

  it('selectors on different keys overlap', () => {
    assert.equal(isSelectorOverlapping(labels({ a: 'h' }), labels({ b: 'i' })), true);
  });

  it('In and NotIn', () => {
    assert.equal(isSelectorOverlapping(expression('a', 'In', ['b', 'c']), labels({ a: 'c' })), true);
    assert.equal(isSelectorOverlapping(expression('a', 'In', ['b', 'c']), expression('a', 'In', ['d'])), false);
    assert.equal(isSelectorOverlapping(expression('a', 'In', ['b', 'c']), expression('a', 'NotIn', ['b', 'c', 'd'])), false);
    assert.equal(isSelectorOverlapping(expression('a', 'In', ['b', 'c']), expression('a', 'NotIn', ['b'])), true);
  });

  it('Exists against a missing key, DoesNotExist against a present one, are disjoint', () => {
    assert.equal(isSelectorOverlapping(expression('a', 'Exists'), labels({ b: 'c' })), false);
    assert.equal(isSelectorOverlapping(expression('a', 'DoesNotExist'), labels({ a: 'c' })), false);
    assert.equal(isSelectorOverlapping(expression('a', 'Exists'), labels({ a: 'c' })), true);
  });

  it('namespace overlap: disjoint only when both are restricted, disjointly', () => {
    assert.equal(isNamespaceOverlapping({ namespace: 'a' }, {}), true);
    assert.equal(isNamespaceOverlapping({ namespace: 'a' }, { namespace: 'b' }), false);
    assert.equal(isNamespaceOverlapping({ namespace: 'a' }, { namespaceSelector: labels({ 'kubernetes.io/metadata.name': 'b' }) }), false);
    assert.equal(isNamespaceOverlapping({ namespaceSelector: labels({ team: 'x' }) }, { namespaceSelector: labels({ team: 'y' }) }), false);
    // spec.namespace overrides a namespaceSelector set next to it.
    assert.equal(isNamespaceOverlapping({ namespace: 'a', namespaceSelector: labels({ team: 'x' }) }, { namespaceSelector: labels({ team: 'y' }) }), true);
  });
});
