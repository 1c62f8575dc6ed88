// validateSidecarSet must answer any input with field errors, never an exception: random JSON values,
// and valid SidecarSets with one or more fields replaced, removed or retyped. Seeded, so reproducible.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { validateSidecarSet, type ValidationContext } from '../../src/validation/validate-sidecarset.ts';
import { defaulted } from './validation-helpers.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** mulberry32: a small deterministic PRNG. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  '', ' ', 'a', 'a b', 'Always', 'RollingUpdate', 'NotUpdate', 'In', 'NotIn', 'Exists', 'enabled', 'v1', '..', '/abs', '-1', '1%',
  "metadata.labels['x']", "metadata.annotations['A B']", 'metadata.name', '1Gi', 'x'.repeat(300), 'ünïcödé', '=', 'apps.kruise.io/sidecarset-base',
];
const NUMBERS = [0, 1, -1, 1.5, 65536, 2 ** 31, -(2 ** 53), Number.MAX_SAFE_INTEGER];
const KEYS = ['name', 'image', 'spec', 'metadata', 'containers', 'volumes', 'selector', 'matchLabels', 'matchExpressions', 'values', 'x', ''];

function randomJson(next: () => number, depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const kind = Math.floor(next() * (depth > 3 ? 4 : 6));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return pick(NUMBERS);
    case 3:
      return pick(STRINGS);
    case 4:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomJson(next, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(next() * 4) }, () => [pick(KEYS), randomJson(next, depth + 1)]));
  }
}

/** A value of the same JSON type, so the structure often stays valid and the semantic rules run. */
function sameTypeValue(value: unknown, next: () => number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  if (typeof value === 'string') return pick(STRINGS);
  if (typeof value === 'number') return Math.trunc(pick(NUMBERS));
  if (typeof value === 'boolean') return !value;
  if (Array.isArray(value)) return next() < 0.5 ? [] : [...value, ...value];
  return {};
}

type Json = Record<string, unknown> | unknown[];

function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...paths(child, [...prefix, key])]);
}

function mutate(object: unknown, next: () => number): unknown {
  const copy = structuredClone(object);
  for (let changes = 1 + Math.floor(next() * 3); changes > 0; changes--) {
    const candidates = paths(copy);
    if (candidates.length === 0) break;
    const target = candidates[Math.floor(next() * candidates.length)];
    const parent = target.slice(0, -1).reduce<Json>((node, key) => (node as Record<string | number, Json>)[key], copy as Json) as Record<string | number, unknown>;
    const key = target[target.length - 1];
    const action = next();
    if (action < 0.25) delete parent[key];
    else if (action < 0.5) parent[key] = randomJson(next);
    else parent[key] = sameTypeValue(parent[key], next);
  }
  return copy;
}

function assertAnswers(input: unknown, context: ValidationContext): void {
  const errors = validateSidecarSet(input, context);
  assert.ok(Array.isArray(errors));
  for (const error of errors) assert.equal(typeof error.field, 'string');
}

describe('validation never throws', () => {
  const example = defaultSidecarSet(parse(readFileSync(path.join(REPO_ROOT, 'deploy/examples/00-sidecarset.yaml'), 'utf8')) as SidecarSet);
  const rich = defaulted((s) => {
    s.metadata.labels = { team: 'logging' };
    s.spec.initContainers = [{ name: 'init', image: 'busybox:1.36', restartPolicy: 'Always', readinessProbe: { tcpSocket: { port: 80 } } }];
    s.spec.updateStrategy = { type: 'NotUpdate', priorityStrategy: { weightPriority: [{ weight: 50, matchSelector: { matchLabels: { a: 'b' } } }] }, scatterStrategy: [{ key: 'zone', value: 'a' }] };
    s.spec.injectionStrategy = { revision: { revisionName: 'log-agent-1' } };
    s.spec.patchPodMetadata = [{ annotations: { 'example.com/a': 'b' }, patchPolicy: 'Overwrite' }];
    s.spec.namespaceSelector = { matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] };
    s.spec.volumes!.push({ name: 'cfg', projected: { sources: [{ configMap: { name: 'c', items: [{ key: 'k', path: 'p' }] } }, { downwardAPI: { items: [{ path: 'l', fieldRef: { fieldPath: 'metadata.labels' } }] } }] } });
    s.spec.containers![0].env = [{ name: 'A', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }];
    s.spec.containers![0].livenessProbe = { httpGet: { port: 'http' } };
    s.spec.containers![0].resources = { limits: { cpu: '1' }, requests: { cpu: '500m' } };
  });

  it('on a few thousand random JSON values', () => {
    const next = random(1);
    const context: ValidationContext = { operation: 'CREATE', others: [], revisions: [], allowPatchMetadataWithoutWhitelist: false };
    for (let i = 0; i < 3000; i++) assertAnswers(randomJson(next), context);
  });

  it('on a few thousand mutated valid SidecarSets, against mutated others and old objects', () => {
    const next = random(2);
    const revisions = [{ metadata: { name: 'log-agent-1' }, revision: 1 }];
    for (let i = 0; i < 2000; i++) {
      const base = i % 2 === 0 ? example : rich;
      const context: ValidationContext = {
        operation: i % 3 === 0 ? 'UPDATE' : 'CREATE',
        oldObject: mutate(rich, next) as SidecarSet,
        others: [mutate(example, next), mutate(rich, next), randomJson(next)] as SidecarSet[],
        revisions,
        allowPatchMetadataWithoutWhitelist: i % 5 === 0,
      };
      assertAnswers(mutate(base, next), context);
    }
  });
});
