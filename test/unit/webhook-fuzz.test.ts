// Fuzzing the admission server over TLS with keep-alive: generated and mutated requests to every
// endpoint — random JSON, truncated bodies, every field of real reviews swapped for a value of
// another type, oversized strings, deep nesting, `__proto__`/`constructor` as keys. Every reply must
// be a valid AdmissionReview (uid echoed) or a 4xx, none may hang, no handler may throw, every patch
// must apply to the request's object and leave an object of its kind no less valid than it was, and
// a valid review must still get the right answer afterwards. FUZZ_SEED=<n> replays a run;
// FUZZ_REQUESTS=<n> changes its size.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { prunedPodShape } from '../../src/validation/pod-shape.ts';
import { validateStructure } from '../../src/validation/structural.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { pod, podReview, review, sidecarSet, sidecarSetReview } from '../support/admission-requests.ts';
import { memoryClusterCaches, namespace } from '../support/memory-caches.ts';
import { prng } from '../support/prng.ts';
import { startTestWebhookServer, type TestWebhookServer } from '../support/test-webhook-server.ts';
import { decodedPatch, type Reply } from '../support/webhook-client.ts';

// A fixed default keeps CI reproducible; other seeds explore further (FUZZ_SEED=$RANDOM npm run -s test:unit).
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const CONCURRENCY = 16;
const PATHS = ['/mutate-pod', '/mutate-apps-kruise-io-v1alpha1-sidecarset', '/validate-apps-kruise-io-v1alpha1-sidecarset'];

const random = prng(SEED);
const int = (n: number): number => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)];

const ALPHABET = 'abcXYZ019-_./~:"\\{}[] \n\t\u0000é😀';
const randomString = (max = 20): string => Array.from({ length: int(max) }, () => ALPHABET[int(ALPHABET.length)]).join('');
// Keys that turn into prototype lookups or writes in code that treats objects as maps.
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
const randomKey = (): string => (random() < 0.3 ? pick(HOSTILE_KEYS) : pick([randomString(8), 'metadata', 'spec', 'containers', 'name', 'labels', 'request', 'uid']));

function randomJson(depth = 0): unknown {
  const kinds = depth > 4 ? 5 : 7;
  switch (int(kinds)) {
    case 0: return null;
    case 1: return random() < 0.5;
    case 2: return pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, int(1000)]);
    case 3: return randomString();
    case 4: return pick(['CREATE', 'UPDATE', 'DELETE', 'CONNECT', 'admission.k8s.io/v1', 'AdmissionReview', '', 'pods', 'v1alpha1', '__proto__', 'constructor']);
    case 5: return Array.from({ length: int(4) }, () => randomJson(depth + 1));
    default: return Object.fromEntries(Array.from({ length: int(5) }, () => [randomKey(), randomJson(depth + 1)]));
  }
}

/** Every JSON path of a value, e.g. ['request', 'object', 'spec', 'containers', 0, 'name']. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, index) => paths(item, [...prefix, index], out));
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) paths(item, [...prefix, key], out);
  return out;
}

/** Sets a value at a path as an own property (even for `__proto__`), like JSON.parse would. */
function setAt(root: any, path: (string | number)[], value: unknown): any {
  if (path.length === 0) return value;
  let node = root;
  for (const key of path.slice(0, -1)) node = node[key];
  Object.defineProperty(node, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
  return root;
}

/** Every path to an object (not an array) inside a value: where a new key can go. */
const objectPaths = (value: unknown): (string | number)[][] =>
  paths(value).filter((path) => {
    const node = path.reduce((at: any, key) => at?.[key], value);
    return node !== null && typeof node === 'object' && !Array.isArray(node);
  });

function deepNesting(depth: number, inner: string): string {
  return '['.repeat(depth) + inner + ']'.repeat(depth);
}

const defaulted = (object: Record<string, any>): SidecarSet => defaultSidecarSet(object as SidecarSet);

/** Real reviews of every kind the endpoints serve, the seeds of the mutations. */
function realReviews(): Record<string, any>[] {
  const old = defaulted(sidecarSet('logging'));
  const annotated = pod('annotated');
  annotated.metadata.annotations = { 'kruise.io/sidecarset-hash': '{}', team: 'a' };
  return [
    podReview(pod('web-1'), 'team-a'),
    podReview(pod(undefined, { app: 'web', tier: 'front' }, { initContainers: [{ name: 'init', image: 'busybox' }], volumes: [{ name: 'v', emptyDir: {} }] }), 'team-b'),
    podReview(annotated, 'team-a'),
    sidecarSetReview(sidecarSet('logging')),
    sidecarSetReview(defaulted(sidecarSet('mesh', { namespaceSelector: { matchLabels: { mesh: 'on' } } }))),
    sidecarSetReview(defaulted(sidecarSet('logging', { containers: [{ name: 'log-agent', image: 'fluent-bit:3.1' }] })), { operation: 'UPDATE', oldObject: old }),
    sidecarSetReview(sidecarSet('patches', { patchPodMetadata: [{ annotations: { 'a/b': '{"x":1}' }, patchPolicy: 'MergePatchJson' }] })),
  ];
}

type Body = { payload: string; uid?: unknown };

function generate(seeds: Record<string, any>[]): Body {
  const base = structuredClone(pick(seeds));
  const text = (value: unknown): Body => ({ payload: JSON.stringify(value), uid: (value as any)?.request?.uid });
  switch (int(10)) {
    case 0: // random JSON, sometimes shaped like a review
      return text(random() < 0.5 ? randomJson() : review({ operation: pick(['CREATE', 'UPDATE', 'DELETE']), kind: randomJson() as any, resource: randomJson() as any, object: randomJson() }));
    case 1: { // truncated
      const payload = JSON.stringify(base);
      return { payload: payload.slice(0, int(payload.length)) };
    }
    case 2:
    case 3:
    case 4: { // one field, anywhere, of another type
      const all = paths(base).filter((path) => path.length > 0);
      return text(setAt(base, pick(all), randomJson(3)));
    }
    case 5: { // several fields at once
      let value: any = base;
      for (let i = 0; i < 3; i++) value = setAt(value, pick(paths(value)), randomJson(2));
      return text(value);
    }
    case 6: { // an oversized string in a field: up to ~1 MiB, now and then past the body limits
      const all = paths(base).filter((path) => path.length > 0);
      return text(setAt(base, pick(all), 'x'.repeat(random() < 0.02 ? 9 << 20 : int(1 << 20))));
    }
    case 7: { // deep nesting, at the top or inside the object
      const depth = pick([100, 1_000, 10_000, 100_000]);
      return random() < 0.5 ? { payload: deepNesting(depth, '1') } : { payload: JSON.stringify(base).replace(/"spec":/, `"deep":${deepNesting(depth, '{}')},"spec":`), uid: base.request.uid };
    }
    case 8: { // a hostile key with a value of any type in some object of the review
      const at = pick(objectPaths(base));
      return text(setAt(base, [...at, pick(HOSTILE_KEYS)], randomJson(2)));
    }
    default: // same review, other operation / endpoint mismatch / dry run
      base.request.operation = pick(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);
      base.request.dryRun = random() < 0.5;
      if (random() < 0.3) base.request.subResource = pick(['status', 'binding', '']);
      return text(base);
  }
}

// What makes an object valid for this test: the core/v1 types of the parts injection writes
// (metadata, containers, init containers, volumes, pull secrets, as the Pod webhook checks its input)
// and unique names, for Pods; the CRD's structural schema, for SidecarSets. Fuzzed objects are
// mostly invalid already, so a patch must add no error.
/** Problems of an object, with list indices elided so that an insertion in front does not count as new. */
function problems(object: unknown, kind: 'Pod' | 'SidecarSet'): Set<string> {
  const found = new Set<string>();
  if (kind === 'SidecarSet') {
    for (const error of validateStructure(object)) found.add(`${error.field.replace(/\[\d+\]/g, '[*]')}: ${error.type}`);
    return found;
  }
  for (const error of prunedPodShape(object).errors) found.add(`${error.field.replace(/\[\d+\]/g, '[*]')}: ${error.type}`);
  const spec = (object as any)?.spec;
  const names = [...(Array.isArray(spec?.containers) ? spec.containers : []), ...(Array.isArray(spec?.initContainers) ? spec.initContainers : [])].map((container: any) => container?.name);
  for (const name of names) if (names.indexOf(name) !== names.lastIndexOf(name)) found.add(`duplicate container name ${JSON.stringify(name)}`);
  const volumes = Array.isArray(spec?.volumes) ? spec.volumes.map((volume: any) => volume?.name) : [];
  for (const name of volumes) if (volumes.indexOf(name) !== volumes.lastIndexOf(name)) found.add(`duplicate volume name ${JSON.stringify(name)}`);
  return found;
}

/** The patch applies to the request's object (RFC 6902, strictly) and adds no problem to it. */
function checkPatch(operations: jsonpatch.Operation[], body: Body, path: string): void {
  const request = JSON.parse(body.payload).request;
  const original = JSON.parse(body.payload).request.object;
  const kind = path === '/mutate-pod' ? 'Pod' : 'SidecarSet';
  let patched: any;
  try {
    patched = jsonpatch.applyPatch(request.object, operations, true, true).newDocument;
  } catch (error) {
    assert.fail(`${path}: the patch does not apply: ${(error as Error).message}; patch ${JSON.stringify(operations).slice(0, 300)}`);
  }
  assert.ok(patched !== null && typeof patched === 'object' && !Array.isArray(patched), `${path}: the patched ${kind} is an object`);
  // A null field is as good as an absent one (the apiserver drops both alike).
  assert.deepEqual(patched.apiVersion ?? null, original.apiVersion ?? null, `${path}: apiVersion kept`);
  assert.deepEqual(patched.kind ?? null, original.kind ?? null, `${path}: kind kept`);
  const before = problems(original, kind);
  const added = [...problems(patched, kind)].filter((problem) => !before.has(problem));
  assert.deepEqual(added, [], `${path}: the patch made the ${kind} invalid; patch ${JSON.stringify(operations).slice(0, 300)}`);
}

function check(reply: Reply, body: Body, path: string): void {
  if (reply.status >= 400 && reply.status < 500) {
    assert.equal(reply.json?.kind, 'Status', `${path}: a 4xx carries a Status: ${reply.text.slice(0, 200)}`);
    return;
  }
  assert.equal(reply.status, 200, `${path}: 200 or 4xx, got ${reply.status}: ${reply.text.slice(0, 300)}`);
  const { apiVersion, kind, response } = reply.json ?? {};
  assert.equal(apiVersion, 'admission.k8s.io/v1');
  assert.equal(kind, 'AdmissionReview');
  assert.equal(response.uid, body.uid, 'uid echoed');
  assert.equal(typeof response.allowed, 'boolean');
  assert.equal(response.patch === undefined, response.patchType === undefined);
  if (path.startsWith('/validate')) assert.equal(response.patch, undefined);
  if (response.patch !== undefined) {
    const operations = decodedPatch(reply);
    assert.ok(Array.isArray(operations));
    checkPatch(operations, body, path);
  }
  if (!response.allowed) assert.ok(response.status.code >= 400 && response.status.code < 500, `4xx denial: ${JSON.stringify(response.status)}`);
  for (const warning of response.warnings ?? []) assert.ok(Array.from(warning).length < 120 && !/[\u0000-\u001f]/.test(warning), warning);
}

describe(`webhook fuzzing (seed ${SEED}, ${REQUESTS} requests)`, () => {
  let t: TestWebhookServer;
  before(async () => {
    t = await startTestWebhookServer({
      logLevel: 'error',
      settings: { namespaceWaitMs: 20 },
      caches: memoryClusterCaches({
        namespaces: [namespace('team-a', { mesh: 'on' }), namespace('team-b')],
        sidecarSets: [
          defaulted(sidecarSet('logging', { containers: [{ name: 'log-agent', image: 'fluent-bit:3' }] })),
          defaulted(sidecarSet('mesh', { namespaceSelector: { matchLabels: { mesh: 'on' } }, containers: [{ name: 'proxy', image: 'envoy:1' }] })),
          defaulted(sidecarSet('hot', { containers: [{ name: 'hot', image: 'nginx:1', upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: 'empty:1' } }] })),
        ],
      }),
    });
  });
  after(() => t.close());

  it('answers every request with a valid review or a 4xx, within its timeout, without a handler exception', async () => {
    const seeds = realReviews();
    const statuses = new Map<number, number>();
    let patched = 0;
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < REQUESTS) {
        sent++;
        const body = generate(seeds);
        const path = pick(PATHS) + (random() < 0.2 ? '?timeout=10s' : '');
        let reply: Reply;
        try {
          reply = await t.client.post(path, body.payload, { timeoutMs: 15_000 });
        } catch (error) {
          assert.fail(`seed ${SEED}: request ${sent} to ${path} failed (${(error as Error).message}); body starts ${body.payload.slice(0, 200)}`);
        }
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        if (reply.json?.response?.patch !== undefined) patched++;
        try {
          check(reply, body, path.split('?')[0]);
        } catch (error) {
          throw new Error(`seed ${SEED}: ${(error as Error).message}\nbody starts ${body.payload.slice(0, 300)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    process.stderr.write(`# fuzz seed ${SEED}: replies by status ${JSON.stringify(Object.fromEntries(statuses))}, ${patched} patches applied\n`);
    assert.ok((statuses.get(200) ?? 0) > REQUESTS / 4, `plenty of reviews reached the handlers: ${JSON.stringify([...statuses])}`);
    assert.ok(patched > REQUESTS / 20, `plenty of patches were applied and checked: ${patched}`);
    const exceptions = t.logs.filter((line) => line.msg === 'admission handler failed').map((line) => `${line.webhook}: ${String(line.err?.stack ?? line.err?.message).split('\n').slice(0, 3).join(' | ').slice(0, 300)}`);
    assert.deepEqual([...new Set(exceptions)], [], `seed ${SEED}: ${exceptions.length} handler exceptions`);
  });

  it('still answers valid reviews correctly afterwards', async () => {
    const object = pod('after-fuzz');
    const injected = await t.client.post('/mutate-pod', podReview(object, 'team-a'));
    assert.equal(injected.status, 200);
    const result = jsonpatch.applyPatch(structuredClone(object), decodedPatch(injected)!, true, false).newDocument;
    assert.deepEqual(result.spec.containers.map((container: any) => container.name), ['hot-1', 'hot-2', 'log-agent', 'proxy', 'app']);

    const invalid = await t.client.post('/validate-apps-kruise-io-v1alpha1-sidecarset', sidecarSetReview(defaulted(sidecarSet('x', { selector: undefined }))));
    assert.equal(invalid.json.response.status.message, 'spec.selector: Required value: no selector defined for SidecarSet');
    const health = await t.client.get('/healthz');
    assert.equal(health.status, 200);
  });
});
