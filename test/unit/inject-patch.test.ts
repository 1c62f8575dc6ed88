// The JSON Patch of an injection: escaped keys, parents created before children, indexed inserts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import type { Pod } from '../../src/api/core.ts';
import { injectionPatch } from '../../src/injection/patch.ts';
import { escapePointerToken } from '../../src/json-patch.ts';
import { applyPodChanges, type PodChanges } from '../../src/injection/pod-changes.ts';

const apply = <T>(pod: T, patch: unknown[]): T => jsonpatch.applyPatch(structuredClone(pod), structuredClone(patch) as jsonpatch.Operation[], true).newDocument;

describe('injectionPatch', () => {
  it('escapes "~" and "/" in keys', () => {
    assert.equal(escapePointerToken('a/b~c/~'), 'a~1b~0c~1~0');
    const pod: Pod = { metadata: { annotations: { keep: '1' } }, spec: { containers: [] } };
    const patch = injectionPatch(pod, { annotations: { 'kruise.io/x~y': 'v', keep: '2' } });
    assert.deepEqual(patch, [
      { op: 'add', path: '/metadata/annotations/kruise.io~1x~0y', value: 'v' },
      { op: 'replace', path: '/metadata/annotations/keep', value: '2' },
    ]);
  });

  it('adds a missing parent whole instead of writing under it', () => {
    const pod = { spec: { containers: [{ name: 'app' }], initContainers: null } } as unknown as Pod;
    const changes: PodChanges = {
      annotations: { a: '1' },
      initContainers: { replaced: new Map(), front: [{ name: 'i1' }], back: [{ name: 'i2' }] },
      volumes: [{ name: 'v' }],
      imagePullSecrets: { removed: [], appended: [{ name: 's' }] },
    };
    const patch = injectionPatch(pod, changes, '');
    assert.deepEqual(patch.map((operation) => operation.path), ['/metadata', '/spec/initContainers', '/spec/volumes', '/spec/imagePullSecrets']);
    assert.deepEqual(apply(pod, patch), applyPodChanges(pod, changes));
  });

  it('inserts in front with indexes valid at their point of the patch, after in-place replacements', () => {
    const pod: Pod = { metadata: {}, spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } };
    const changes: PodChanges = {
      containers: { replaced: new Map([[2, { name: 'c', image: 'new' }], [0, { name: 'a', image: 'new' }]]), front: [{ name: 'x' }, { name: 'y' }], back: [{ name: 'z' }] },
      imagePullSecrets: { removed: [0, 2], appended: [] },
    };
    const withSecrets = { ...pod, spec: { ...pod.spec, imagePullSecrets: [{ name: 's' }, { name: 't' }, { name: 's' }] } };
    const patch = injectionPatch(withSecrets, changes, '/spec/template');
    assert.deepEqual(patch.map(({ op, path }) => `${op} ${path}`), [
      'replace /spec/template/spec/containers/0',
      'replace /spec/template/spec/containers/2',
      'add /spec/template/spec/containers/0',
      'add /spec/template/spec/containers/1',
      'add /spec/template/spec/containers/-',
      'remove /spec/template/spec/imagePullSecrets/2',
      'remove /spec/template/spec/imagePullSecrets/0',
    ]);
    const template = { spec: { template: withSecrets } };
    assert.deepEqual(apply(template, patch).spec.template, applyPodChanges(withSecrets, changes));
    assert.deepEqual(applyPodChanges(withSecrets, changes).spec.containers.map((c) => c.name), ['x', 'y', 'a', 'b', 'c', 'z']);
  });

  it('is empty when nothing changed', () => {
    assert.deepEqual(injectionPatch({ metadata: {}, spec: { containers: [] } }, {}), []);
  });
});
