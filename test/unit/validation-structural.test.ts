// The structural (ajv) layer: Kubernetes-worded errors, and agreement between the CRD the apiserver
// serves and what validation accepts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { renderCrdYaml } from '../../src/api/crd.ts';
import type { SidecarSetVersion } from '../../src/api/sidecarset.ts';
import { GENERATED_FILES } from '../../src/api/generated-files.ts';
import coreSchemas from '../../src/api/generated/core-v1.schema.json' with { type: 'json' };
import { formatFieldError } from '../../src/field-error.ts';
import { type JsonSchema, resolveSchema, sidecarSetStructuralSchema, validateStructure, withoutNulls } from '../../src/validation/structural.ts';
import { defaulted, errorsOf } from './validation-helpers.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const structuralErrors = (value: unknown): string[] => validateStructure(value).map(formatFieldError);

describe('structural validation', () => {
  it('refuses unknown fields anywhere, container and volume fields included', () => {
    const object = defaulted() as unknown as { spec: Record<string, unknown> & { containers: Record<string, unknown>[]; volumes: Record<string, unknown>[] } };
    object.spec.containers[0].imagePullPolcy = 'Always';
    object.spec.volumes[0].emptydir = {};
    object.spec.selectr = {};
    assert.deepEqual(structuralErrors(object), [
      'spec.selectr: Forbidden: unknown field "selectr"',
      'spec.containers[0].imagePullPolcy: Forbidden: unknown field "imagePullPolcy"',
      'spec.volumes[0].emptydir: Forbidden: unknown field "emptydir"',
    ]);
  });

  it('reports wrong types, enums, missing required fields and int32 overflow in the apiserver\'s words', () => {
    const object = defaulted() as unknown as { spec: Record<string, unknown> & { containers: Record<string, unknown>[]; updateStrategy: Record<string, unknown> } };
    object.spec.containers[0].ports = [{}];
    object.spec.containers[0].resources = { limits: { cpu: true } };
    object.spec.updateStrategy.partition = [];
    object.spec.updateStrategy.maxUnavailable = 1.5;
    object.spec.injectionStrategy = { revision: { revisionName: 'r', policy: 'Never' } };
    object.spec.revisionHistoryLimit = 2 ** 31;
    assert.deepEqual(structuralErrors(object), [
      'spec.containers[0].ports[0].containerPort: Required value',
      'spec.containers[0].resources.limits[cpu]: Invalid value: "boolean": spec.containers[0].resources.limits[cpu] in body must be of type string or number: "boolean"',
      'spec.updateStrategy.partition: Invalid value: "array": spec.updateStrategy.partition in body must be of type integer or string: "array"',
      'spec.updateStrategy.maxUnavailable: Invalid value: "number": spec.updateStrategy.maxUnavailable in body must be of type integer or string: "number"',
      'spec.injectionStrategy.revision.policy: Unsupported value: "Never": supported values: "Always", "Partial"',
      'spec.revisionHistoryLimit: Invalid value: 2147483648: spec.revisionHistoryLimit in body must be of type int32: "2147483648"',
    ]);
  });

  it('ignores null-valued fields, as the apiserver prunes them', () => {
    const object = defaulted() as unknown as Record<string, Record<string, unknown>>;
    object.metadata.creationTimestamp = null;
    object.spec.namespaceSelector = null;
    assert.deepEqual(errorsOf(object), []);
  });

  it('with a broken structure, reports the metadata errors too but skips the spec rules', () => {
    const object = { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'SidecarSet', metadata: { name: 'bad.name', namespace: 'ns' }, spec: { containers: 'agent' } };
    assert.deepEqual(errorsOf(object), [
      'metadata.name: Invalid value: "bad.name": sidecarset name must consist of alphanumeric characters or \'-\' (e.g. \'example-com\', regex used for validation is \'^[a-zA-Z0-9\\-]+$\')',
      'metadata.namespace: Forbidden: not allowed on this type',
      'spec.containers: Invalid value: "string": spec.containers in body must be of type array: "string"',
    ]);
    assert.deepEqual(errorsOf('SidecarSet'), ['Invalid value: "string": body must be of type object: "string"']);
  });
});

/** Object nodes of the CRD schema with declared properties, and where they are. */
function* objectNodes(node: JsonSchema, segments: (string | number)[] = []): Generator<{ node: JsonSchema; segments: (string | number)[] }> {
  if (node.properties) yield { node, segments };
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) yield* objectNodes(child, [...segments, name]);
  if (node.items) yield* objectNodes(node.items as JsonSchema, [...segments, 0]);
}

/** A document holding `leaf` at the position the segments describe. */
const documentAt = (segments: (string | number)[], leaf: unknown): unknown =>
  segments.reduceRight<unknown>((inner, segment) => (typeof segment === 'number' ? [inner] : { [segment]: inner }), leaf);

const pathText = (segments: (string | number)[]): string => segments.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('').slice(1);

/** The structural node at the same position, refs resolved. */
function structuralNodeAt(version: SidecarSetVersion, segments: (string | number)[]): JsonSchema {
  const structural = sidecarSetStructuralSchema(version);
  let node = structural;
  for (const segment of segments) {
    const resolved = resolveSchema(node, structural);
    node = typeof segment === 'number' ? (resolved.items as JsonSchema) : (resolved.properties as Record<string, JsonSchema>)[segment];
  }
  return resolveSchema(node, structural);
}

const names = (node: JsonSchema): string[] => Object.keys((node.properties ?? {}) as object).sort();
const coreProperties = (definition: string): string[] => names(coreSchemas.definitions[definition as keyof typeof coreSchemas.definitions] as JsonSchema);

type CrdVersion = { name: SidecarSetVersion; schema: { openAPIV3Schema: JsonSchema } };

for (const { name: version, schema } of (parse(renderCrdYaml()) as { spec: { versions: CrdVersion[] } }).spec.versions) {
  describe(`the ${version} CRD schema and the runtime validation agree`, () => {
    const nodes = [...objectNodes(schema.openAPIV3Schema)];

    it('has the same property names at every level; schemaless CRD parts add exactly the core/v1 ones', () => {
      assert.ok(nodes.length > 20);
      for (const { node, segments } of nodes) {
        const structural = structuralNodeAt(version, segments);
        const where = pathText(segments) || '<root>';
        if (node['x-kubernetes-preserve-unknown-fields']) {
          const core = segments.includes('volumes') ? coreProperties('io.k8s.api.core.v1.Volume') : coreProperties('io.k8s.api.core.v1.Container');
          assert.deepEqual(names(structural), [...new Set([...names(node), ...core])].sort(), where);
        } else {
          assert.deepEqual(names(structural), names(node), where);
          assert.deepEqual([...((structural.required as string[]) ?? [])].sort(), [...((node.required as string[]) ?? [])].sort(), where);
        }
        assert.equal(structural.additionalProperties, false, where);
      }
    });

    it('accepts every property of the CRD and refuses any other, at every level', () => {
      for (const { node, segments } of nodes) {
        const unknownFields = (document: unknown): string[] =>
          validateStructure(document, version).filter((error) => error.detail.startsWith('unknown field')).map((error) => error.field);
        for (const name of names(node)) assert.deepEqual(unknownFields(documentAt(segments, { [name]: {} })), [], `${pathText([...segments, name])}`);
        assert.deepEqual(unknownFields(documentAt(segments, { 'x-unknown': 1 })), [pathText([...segments, 'x-unknown'])]);
      }
    });
  });
}

it('v1alpha1 has spec.namespace, v1beta1 spec.customVersion, and neither the other', () => {
  const unknownFields = (spec: object, version: SidecarSetVersion): string[] => validateStructure({ spec }, version).map((error) => error.field);
  assert.deepEqual(unknownFields({ namespace: 'a' }, 'v1alpha1'), []);
  assert.deepEqual(unknownFields({ customVersion: 'a' }, 'v1alpha1'), ['spec.customVersion']);
  assert.deepEqual(unknownFields({ customVersion: 'a' }, 'v1beta1'), []);
  assert.deepEqual(unknownFields({ namespace: 'a' }, 'v1beta1'), ['spec.namespace']);
});

describe('generated files', () => {
  it('makes every object of the core/v1 schemas strict', () => {
    for (const [name, definition] of Object.entries(coreSchemas.definitions as Record<string, JsonSchema>)) {
      if (definition.properties) assert.equal(definition.additionalProperties, false, name);
    }
  });

  it('commits the generated CRD and every generated file as their generators render them', () => {
    assert.equal(readFileSync(path.join(REPO_ROOT, 'deploy/crds/apps.kruise.io_sidecarsets.yaml'), 'utf8'), renderCrdYaml());
    for (const [file, render] of Object.entries(GENERATED_FILES)) {
      assert.equal(readFileSync(path.join(REPO_ROOT, file), 'utf8'), render(), `${file} is out of date: run npm run generate`);
    }
  });
});

describe('withoutNulls', () => {
  it('drops null-valued fields at every depth, keeps nulls inside lists, and copies', () => {
    const input = JSON.parse('{"metadata":{"creationTimestamp":null,"labels":{"a":"1"}},"spec":{"containers":[{"name":"c","env":null}],"list":[null,1]},"kept":0}');
    const before = JSON.stringify(input);
    const pruned = withoutNulls(input) as Record<string, any>;
    assert.deepEqual(pruned, { metadata: { labels: { a: '1' } }, spec: { containers: [{ name: 'c' }], list: [null, 1] }, kept: 0 });
    assert.equal(JSON.stringify(input), before, 'the input is left alone');
    assert.notEqual(pruned.metadata.labels, input.metadata.labels, 'a copy, not a view');
    assert.deepEqual(Object.keys(withoutNulls({ z: 1, a: null, m: 2 }) as object), ['z', 'm'], 'key order kept');
  });

  it('keeps a `__proto__` key a key, and the prototype plain', () => {
    const pruned = withoutNulls(JSON.parse('{"__proto__":{"polluted":true,"gone":null},"constructor":{"prototype":null}}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(pruned), Object.prototype);
    assert.deepEqual(Object.keys(pruned), ['__proto__', 'constructor']);
    assert.equal(JSON.stringify(pruned), '{"__proto__":{"polluted":true},"constructor":{}}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
