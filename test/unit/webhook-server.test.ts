// The admission server over real TLS: every endpoint, the AdmissionReview rules kube-apiserver
// checks, denials with their exact messages, dry runs, malformed input, health and metrics.
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { parseAdmissionReview } from '../../webhooks/admission-review.ts';
import { podInjectionWebhook } from '../../webhooks/pod-injection-webhook.ts';
import { pod, podReview, review, sidecarSet, sidecarSetReview } from '../support/admission-requests.ts';
import { memoryCache, memoryClusterCaches, namespace } from '../support/memory-caches.ts';
import { startTestWebhookServer, type TestWebhookServer } from '../support/test-webhook-server.ts';
import { decodedPatch, type Reply } from '../support/webhook-client.ts';

const MUTATE_SIDECARSET = '/mutate-apps-kruise-io-v1alpha1-sidecarset';
const VALIDATE_SIDECARSET = '/validate-apps-kruise-io-v1alpha1-sidecarset';
const MUTATE_POD = '/mutate-pod';

const defaulted = (object: Record<string, any>): SidecarSet => defaultSidecarSet(object as SidecarSet);

/** The checks kube-apiserver applies to every review reply (docs/behaviour/admission.md). */
function assertValidReview(reply: Reply, uid: string, mutating: boolean): any {
  assert.equal(reply.status, 200, reply.text);
  assert.match(String(reply.headers['content-type']), /^application\/json/);
  assert.equal(reply.headers['retry-after'], undefined);
  assert.equal(reply.json.apiVersion, 'admission.k8s.io/v1');
  assert.equal(reply.json.kind, 'AdmissionReview');
  const response = reply.json.response;
  assert.equal(response.uid, uid);
  assert.equal(typeof response.allowed, 'boolean');
  assert.equal(response.patch === undefined, response.patchType === undefined, 'patch and patchType together or not at all');
  if (response.patchType !== undefined) assert.equal(response.patchType, 'JSONPatch');
  if (!mutating) assert.equal(response.patch, undefined, 'a validating webhook never patches');
  if (!response.allowed) assert.ok(response.status.code >= 400 && response.status.code < 500, `4xx denial, got ${response.status.code}`);
  for (const warning of response.warnings ?? []) {
    assert.ok(Array.from(warning).length < 120 && !/[\u0000-\u001f]/.test(warning), `warning within the apiserver's limits: ${warning}`);
  }
  return response;
}

async function send(t: TestWebhookServer, path: string, body: Record<string, any>, mutating = true): Promise<any> {
  const reply = await t.client.post(`${path}?timeout=10s`, body);
  return { ...assertValidReview(reply, body.request.uid, mutating), reply };
}

function applied(object: unknown, reply: Reply): any {
  const patch = decodedPatch(reply);
  assert.ok(patch, 'a patch');
  return jsonpatch.applyPatch(structuredClone(object), patch, true, false).newDocument;
}

describe('admission server over TLS', () => {
  let t: TestWebhookServer;
  before(async () => {
    t = await startTestWebhookServer({
      caches: memoryClusterCaches({ namespaces: [namespace('default'), namespace('team-a', { mesh: 'on' }), namespace('team-b')] }),
      settings: { namespaceWaitMs: 500 },
    });
  });
  after(() => t.close());

  describe('transport', () => {
    it('speaks HTTP/1.1 over TLS >= 1.2 and keeps idle connections 100 s, past the apiserver\'s 90 s reuse', async () => {
      const alpn = await new Promise<string | false | null>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: t.port, ca: t.tls.caPem, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
          resolve(socket.alpnProtocol);
          socket.end();
        });
        socket.on('error', reject);
      });
      assert.equal(alpn, 'http/1.1');
      await assert.rejects(
        new Promise((resolve, reject) => {
          const socket = tlsConnect({ host: '127.0.0.1', port: t.port, ca: t.tls.caPem, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, () => resolve(socket.end()));
          socket.on('error', reject);
        }),
      );
      const reply = await t.client.get('/healthz');
      assert.equal(reply.headers['keep-alive'], 'timeout=100');
    });

    it('offers TLS 1.2 with forward-secret AEAD suites only, and TLS 1.3', async () => {
      const handshake = (options: { maxVersion: 'TLSv1.2' | 'TLSv1.3'; ciphers?: string }): Promise<string> =>
        new Promise((resolve, reject) => {
          const socket = tlsConnect({ host: '127.0.0.1', port: t.port, ca: t.tls.caPem, minVersion: 'TLSv1.2', ...options }, () => {
            resolve(socket.getCipher().name);
            socket.end();
          });
          socket.on('error', reject);
        });
      assert.equal(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }), 'ECDHE-RSA-AES128-GCM-SHA256');
      assert.equal(await handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-CHACHA20-POLY1305' }), 'ECDHE-RSA-CHACHA20-POLY1305');
      assert.match(await handshake({ maxVersion: 'TLSv1.3' }), /^TLS_/);
      for (const ciphers of ['AES128-GCM-SHA256', 'AES256-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384']) {
        await assert.rejects(handshake({ maxVersion: 'TLSv1.2', ciphers }), Error, `${ciphers} refused`);
      }
    });

    it('reuses one keep-alive connection for successive reviews', async () => {
      const first = await t.client.post(MUTATE_POD, podReview(pod('a'), 'team-b'));
      const second = await t.client.post(MUTATE_POD, podReview(pod('b'), 'team-b'));
      assert.equal(first.localPort, second.localPort);
    });
  });

  describe(MUTATE_SIDECARSET, () => {
    it('answers CREATE with the patch from the sent object to the defaulted one', async () => {
      const object = sidecarSet('logs');
      const response = await send(t, MUTATE_SIDECARSET, sidecarSetReview(object));
      assert.equal(response.allowed, true);
      assert.deepEqual(applied(object, response.reply), defaulted(object));
      assert.ok(decodedPatch(response.reply)!.some((op) => op.path === '/metadata/annotations' && op.op === 'add'), 'missing annotations added whole');
    });

    it('answers UPDATE the same way', async () => {
      const old = defaulted(sidecarSet('logs'));
      const object = sidecarSet('logs', { containers: [{ name: 'logs-sidecar', image: 'busybox:1.37' }] }, { annotations: { team: 'x' } });
      const response = await send(t, MUTATE_SIDECARSET, sidecarSetReview(object, { operation: 'UPDATE', oldObject: old }));
      assert.deepEqual(applied(object, response.reply), defaulted(object));
      assert.ok(decodedPatch(response.reply)!.some((op) => op.path === '/metadata/annotations/kruise.io~1sidecarset-hash'), 'keys escaped');
    });

    it('sends no patch when the object is already defaulted', async () => {
      const response = await send(t, MUTATE_SIDECARSET, sidecarSetReview(defaulted(sidecarSet('logs'))));
      assert.equal(response.allowed, true);
      assert.equal(response.patch, undefined);
      assert.equal(response.patchType, undefined);
    });

    it('answers a dry run exactly like a real request', async () => {
      const object = sidecarSet('logs');
      const response = await send(t, MUTATE_SIDECARSET, sidecarSetReview(object, { dryRun: true }));
      assert.deepEqual(applied(object, response.reply), defaulted(object));
    });

    it('refuses a version it does not serve, as Kruise does', async () => {
      const response = await send(t, MUTATE_SIDECARSET, sidecarSetReview(sidecarSet('x'), { resource: { group: 'apps.kruise.io', version: 'v2', resource: 'sidecarsets' } }));
      assert.deepEqual(response.status, { code: 400, reason: 'BadRequest', message: 'unsupported version: v2' });
    });

    it('admits values of the wrong type unchanged, with a warning, for the schema validation to report', async () => {
      const response = await send(t, MUTATE_SIDECARSET, sidecarSetReview(sidecarSet('x', { containers: 'busybox' })));
      assert.equal(response.allowed, true);
      assert.equal(response.patch, undefined);
      assert.match(response.warnings[0], /^sidecarset webhook: defaults not applied: spec.containers: Invalid value: "string"/);
    });

    it('passes subresources, DELETE and resources it does not serve through', async () => {
      assert.deepEqual(await send(t, MUTATE_SIDECARSET, sidecarSetReview(sidecarSet('x'), { subResource: 'status', operation: 'UPDATE', oldObject: sidecarSet('x') })).then((r) => [r.allowed, r.patch]), [true, undefined]);
      const deleted = await send(t, MUTATE_SIDECARSET, sidecarSetReview(null, { operation: 'DELETE', name: 'x', oldObject: sidecarSet('x') }));
      assert.equal(deleted.allowed, true);
      const stray = await send(t, MUTATE_SIDECARSET, review({ kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, resource: { group: 'apps', version: 'v1', resource: 'deployments' }, object: { metadata: {} } }));
      assert.equal(stray.allowed, true);
      assert.deepEqual(stray.warnings, [`sidecarset webhook ${MUTATE_SIDECARSET} does not handle deployments.apps: admitted unchanged`]);
    });

    it('refuses a review whose object is missing or has no metadata', async () => {
      const missing = await send(t, MUTATE_SIDECARSET, sidecarSetReview(null));
      assert.deepEqual(missing.status, { code: 400, reason: 'BadRequest', message: 'request.object is required for CREATE' });
      const noMeta = await send(t, MUTATE_SIDECARSET, sidecarSetReview({ spec: {} }));
      assert.deepEqual(noMeta.status, { code: 400, reason: 'BadRequest', message: 'request.object.metadata must be an object' });
    });
  });

  describe(VALIDATE_SIDECARSET, () => {
    it('admits a valid SidecarSet', async () => {
      const response = await send(t, VALIDATE_SIDECARSET, sidecarSetReview(defaulted(sidecarSet('ok'))), false);
      assert.equal(response.allowed, true);
      assert.equal(response.status, undefined);
    });

    it('denies an invalid one with 422 Invalid listing every field error', async () => {
      const object = defaulted(sidecarSet('Bad_Name', { selector: undefined, containers: [{ name: 'agent', image: 'busybox:1.36' }] }));
      const response = await send(t, VALIDATE_SIDECARSET, sidecarSetReview(object), false);
      assert.equal(response.allowed, false);
      assert.equal(response.status.code, 422);
      assert.equal(response.status.reason, 'Invalid');
      assert.equal(
        response.status.message,
        '[metadata.name: Invalid value: "Bad_Name": sidecarset name must consist of alphanumeric characters or \'-\' ' +
          "(e.g. 'example-com', regex used for validation is '^[a-zA-Z0-9\\-]+$'), spec.selector: Required value: no selector defined for SidecarSet]",
      );
      assert.deepEqual(response.status.details.causes.map((cause: any) => cause.field), ['metadata.name', 'spec.selector']);
    });

    it('denies a SidecarSet that conflicts with one in the cache', async () => {
      t.caches.sidecarSets.set(defaulted(sidecarSet('first')));
      try {
        const rival = defaulted(sidecarSet('second', { containers: [{ name: 'first-sidecar', image: 'busybox:1.36' }] }));
        const response = await send(t, VALIDATE_SIDECARSET, sidecarSetReview(rival), false);
        assert.equal(response.status.code, 422);
        assert.equal(response.status.message, `spec.containers: Invalid value: "first-sidecar": container first-sidecar is already injected by SidecarSet first: its selector app=web overlaps this one's app=web`);
      } finally {
        t.caches.sidecarSets.delete('first');
      }
    });

    it('checks UPDATE against the stored object, and needs it', async () => {
      const old = defaulted(sidecarSet('u'));
      const renamed = defaulted(sidecarSet('u', { containers: [{ name: 'other', image: 'busybox:1.36' }] }));
      const response = await send(t, VALIDATE_SIDECARSET, sidecarSetReview(renamed, { operation: 'UPDATE', oldObject: old }), false);
      assert.equal(response.status.code, 422);
      assert.match(response.status.message, /container other is not found/);
      const noOld = await send(t, VALIDATE_SIDECARSET, sidecarSetReview(renamed, { operation: 'UPDATE' }), false);
      assert.deepEqual(noOld.status, { code: 400, reason: 'BadRequest', message: 'request.oldObject is required for UPDATE' });
    });

    it('answers a dry run exactly like a real request', async () => {
      const object = defaulted(sidecarSet('Bad_Name'));
      const real = await send(t, VALIDATE_SIDECARSET, sidecarSetReview(object), false);
      const dry = await send(t, VALIDATE_SIDECARSET, sidecarSetReview(object, { dryRun: true }), false);
      assert.deepEqual(dry.status, real.status);
    });
  });

  describe(MUTATE_POD, () => {
    before(() => {
      t.caches.sidecarSets.set(defaulted(sidecarSet('logging', { containers: [{ name: 'log-agent', image: 'fluent-bit:3' }] })));
      t.caches.sidecarSets.set(
        defaulted(
          sidecarSet('mesh', {
            namespaceSelector: { matchLabels: { mesh: 'on' } },
            containers: [{ name: 'proxy', image: 'envoy:1.30', volumeMounts: [{ name: 'certs', mountPath: '/certs' }] }],
            volumes: [{ name: 'certs', emptyDir: {} }],
          }),
        ),
      );
    });
    after(() => {
      t.caches.sidecarSets.delete('logging');
      t.caches.sidecarSets.delete('mesh');
    });

    it('never injects a Pod of kube-system or the operator\'s namespace, or one that opts out, even sent straight to the endpoint', async () => {
      for (const [object, namespace] of [
        [pod('dns'), 'kube-system'],
        [{ ...pod('own'), metadata: { name: 'own', namespace: 'sidecarset-system', labels: { app: 'web' } } }, 'sidecarset-system'],
        [pod('opted-out', { app: 'web', 'sidecarset.kruise.io/inject': 'false' }), 'team-a'],
      ] as const) {
        const response = await send(t, MUTATE_POD, podReview(object, namespace));
        assert.deepEqual([response.allowed, response.patch], [true, undefined], `${namespace}/${object.metadata.name}`);
      }
      // The same Pod elsewhere is injected: the exclusion is by namespace and label only.
      assert.notEqual((await send(t, MUTATE_POD, podReview(pod('dns'), 'team-a'))).patch, undefined);
    });

    it('injects the matching SidecarSets into a new Pod', async () => {
      const object = pod('web-1');
      const response = await send(t, MUTATE_POD, podReview(object, 'team-a'));
      assert.equal(response.allowed, true);
      const injected = applied(object, response.reply);
      assert.deepEqual(injected.spec.containers.map((c: any) => c.name), ['log-agent', 'proxy', 'app'], 'SidecarSets by name, before the app');
      assert.deepEqual(injected.spec.containers[1].env, [{ name: 'IS_INJECTED', value: 'true' }]);
      assert.deepEqual(injected.spec.volumes, [{ name: 'certs', emptyDir: {} }]);
      assert.equal(injected.metadata.annotations['kruise.io/sidecarset-injected-list'], 'logging,mesh');
      assert.deepEqual(Object.keys(JSON.parse(injected.metadata.annotations['kruise.io/sidecarset-hash'])), ['logging', 'mesh']);
    });

    it('uses the request namespace when the Pod names none', async () => {
      const inTeamA = await send(t, MUTATE_POD, podReview(pod(undefined), 'team-a'));
      assert.equal(applied(pod(undefined), inTeamA.reply).spec.containers.length, 3);
      const inTeamB = await send(t, MUTATE_POD, podReview(pod(undefined), 'team-b'));
      assert.equal(applied(pod(undefined), inTeamB.reply).spec.containers.length, 2, 'mesh selects team-a only');
    });

    it('is idempotent: an injected Pod comes back without a patch', async () => {
      const object = pod('again');
      const first = await send(t, MUTATE_POD, podReview(object, 'team-a'));
      const second = await send(t, MUTATE_POD, podReview(applied(object, first.reply), 'team-a'));
      assert.equal(second.allowed, true);
      assert.equal(second.patch, undefined);
    });

    it('leaves a Pod nothing selects alone', async () => {
      const response = await send(t, MUTATE_POD, podReview(pod('other', { app: 'db' }), 'team-a'));
      assert.equal(response.allowed, true);
      assert.equal(response.patch, undefined);
    });

    it('passes UPDATE, DELETE and subresources through untouched', async () => {
      for (const fields of [{ operation: 'UPDATE' as const, oldObject: pod('p') }, { operation: 'DELETE' as const }, { subResource: 'ephemeralcontainers', operation: 'UPDATE' as const }]) {
        const response = await send(t, MUTATE_POD, podReview(pod('p'), 'team-a', fields));
        assert.deepEqual([response.allowed, response.patch, response.warnings], [true, undefined, undefined]);
      }
    });

    it('answers a dry run with the same patch and does not count it as an injection', async () => {
      const count = async (): Promise<number> => (await t.registry.getSingleMetric('sidecarset_webhook_injections_total')!.get()).values.find((v) => v.labels.sidecarset === 'mesh')?.value ?? 0;
      const before = await count();
      const dry = await send(t, MUTATE_POD, podReview(pod('dry'), 'team-a', { dryRun: true }));
      assert.equal(applied(pod('dry'), dry.reply).spec.containers.length, 3);
      assert.equal(await count(), before);
      await send(t, MUTATE_POD, podReview(pod('real'), 'team-a'));
      assert.equal(await count(), before + 1);
    });

    it('refuses a Pod the SidecarSets cannot be injected into (403, with the reason)', async () => {
      const broken = pod('broken');
      broken.metadata.annotations = { 'kruise.io/sidecarset-hash': 'not json' };
      const response = await send(t, MUTATE_POD, podReview(broken, 'team-a'));
      assert.equal(response.allowed, false);
      assert.equal(response.status.code, 403);
      assert.equal(response.status.reason, 'Forbidden');
      assert.match(response.status.message, /^pod\(\/broken\) invalid annotations\[kruise.io\/sidecarset-hash\] value not json, unmarshal failed: /);
    });

    it('waits a moment for a namespace the cache does not know yet, then says what it skipped', async () => {
      setTimeout(() => t.caches.namespaces.set(namespace('late', { mesh: 'on' })), 100);
      const late = await send(t, MUTATE_POD, podReview(pod('p'), 'late'));
      assert.equal(applied(pod('p'), late.reply).spec.containers.length, 3, 'mesh applied once the namespace arrived');
      const never = await send(t, MUTATE_POD, podReview(pod('p'), 'never-cached'));
      assert.deepEqual(never.warnings, ['namespace never-cached not yet cached: SidecarSets with a namespaceSelector skipped']);
      assert.equal(applied(pod('p'), never.reply).spec.containers.length, 2, 'logging only');
    });

    it('admits another resource sent to it unchanged, with a warning', async () => {
      const response = await send(t, MUTATE_POD, review({ kind: { group: '', version: 'v1', kind: 'ConfigMap' }, resource: { group: '', version: 'v1', resource: 'configmaps' }, namespace: 'team-a', object: { metadata: { name: 'c' } } }));
      assert.deepEqual([response.allowed, response.patch, response.warnings], [true, undefined, ['sidecarset webhook /mutate-pod does not handle configmaps: admitted unchanged']]);
    });

    it('refuses a request whose object is not a Pod', async () => {
      const response = await send(t, MUTATE_POD, podReview({ metadata: {}, spec: { containers: 'app' } }, 'team-a'));
      assert.deepEqual(response.status, { code: 400, reason: 'BadRequest', message: 'request.object is not a Pod: spec.containers: Invalid value: "string": spec.containers in body must be of type array: "string"' });
    });
  });

  describe('malformed requests', () => {
    const statusOf = (reply: Reply): [number, string | undefined, string | undefined] => [reply.status, reply.json?.kind, reply.json?.reason];

    it('answer 400 with a Status for a body that is not an AdmissionReview v1', async () => {
      const body = podReview(pod('p'), 'team-a');
      const cases: [unknown, RegExp][] = [
        ['{"apiVersion":', /not valid JSON/],
        ['[]', /malformed AdmissionReview: the body must be a JSON object/],
        [{ ...body, apiVersion: 'admission.k8s.io/v1beta1' }, /apiVersion must be admission.k8s.io\/v1/],
        [{ ...body, kind: 'Pod' }, /kind must be AdmissionReview/],
        [{ ...body, request: undefined }, /request is required/],
        [{ ...body, request: { ...body.request, uid: undefined } }, /request.uid is required/],
        ['{"__proto__":{"polluted":true}}', /./],
      ];
      for (const [payload, message] of cases) {
        for (const path of [MUTATE_POD, MUTATE_SIDECARSET, VALIDATE_SIDECARSET]) {
          const reply = await t.client.post(path, payload);
          assert.deepEqual(statusOf(reply), [400, 'Status', 'BadRequest'], `${path} ${String(payload).slice(0, 40)}`);
          assert.match(reply.json.message, message);
        }
      }
      assert.equal(({} as any).polluted, undefined);
    });

    it('answer 415 to another content type, 404 to another path or method, 413 to a body over the route\'s limit', async () => {
      const text = await t.client.post(MUTATE_POD, 'x', { headers: { 'content-type': 'text/plain' } });
      assert.deepEqual(statusOf(text), [415, 'Status', 'UnsupportedMediaType']);
      assert.deepEqual(statusOf(await t.client.post('/mutate-deployment', podReview(pod('p'), 'x'))), [404, 'Status', 'NotFound']);
      assert.deepEqual(statusOf(await t.client.get(MUTATE_POD)), [404, 'Status', 'NotFound']);
      // A Pod review holds one object of at most 3 MiB, a SidecarSet UPDATE review two.
      const MiB = 1024 * 1024;
      const podOf = (bytes: number): string => JSON.stringify(podReview({ ...pod('p'), metadata: { name: 'p', annotations: { big: 'x'.repeat(bytes) } } }, 'x'));
      assert.deepEqual(statusOf(await t.client.post(MUTATE_POD, podOf(4 * MiB))), [413, 'Status', 'RequestEntityTooLarge']);
      assert.equal((await t.client.post(MUTATE_POD, podOf(3 * MiB))).status, 200);
      const sidecarSetOf = (bytes: number): string => JSON.stringify(sidecarSetReview(sidecarSet('big', {}, { annotations: { big: 'x'.repeat(bytes) } })));
      assert.equal((await t.client.post(MUTATE_SIDECARSET, sidecarSetOf(6 * MiB))).status, 200);
      assert.deepEqual(statusOf(await t.client.post(MUTATE_SIDECARSET, sidecarSetOf(7 * MiB))), [413, 'Status', 'RequestEntityTooLarge']);
    });

    it('leave a log line each, and the server serving', async () => {
      const before = t.logs.length;
      await t.client.post(MUTATE_POD, '[]');
      assert.ok(t.logs.slice(before).some((line) => line.msg === 'malformed admission request' && line.webhook === 'mutate-pod'));
      const response = await send(t, MUTATE_POD, podReview(pod('after'), 'team-b'));
      assert.equal(response.allowed, true);
    });
  });

  describe('health and metrics', () => {
    it('serve /healthz and /readyz on the TLS port', async () => {
      const health = await t.client.get('/healthz');
      assert.deepEqual([health.status, health.text], [200, 'ok']);
      const ready = await t.client.get('/readyz');
      assert.equal(ready.status, 200);
      assert.equal(ready.json.ready, true);
    });

    it('record latency by webhook and result, and rejections by reason', async () => {
      const text = await t.registry.metrics();
      assert.match(text, /sidecarset_webhook_admission_duration_seconds_count\{webhook="mutate-pod",result="patched"\} [1-9]/);
      assert.match(text, /sidecarset_webhook_admission_duration_seconds_count\{webhook="validate-sidecarset",result="denied"\} [1-9]/);
      assert.match(text, /sidecarset_webhook_admission_duration_seconds_count\{webhook="mutate-pod",result="malformed"\} [1-9]/);
      assert.match(text, /sidecarset_webhook_rejections_total\{webhook="validate-sidecarset",reason="Invalid"\} [1-9]/);
      assert.match(text, /sidecarset_webhook_injections_total\{sidecarset="logging"\} [1-9]/);
      assert.match(text, /sidecarset_webhook_certificate_expiry_timestamp_seconds \d{10}/);
    });
  });
});

describe('admission server while its caches are not synced', () => {
  let t: TestWebhookServer;
  before(async () => {
    t = await startTestWebhookServer({ caches: memoryClusterCaches({}, false) });
  });
  after(() => t.close());

  it('denies Pods and SidecarSet validation with 403 "not yet ready", and still defaults', async () => {
    const podResponse = await send(t, MUTATE_POD, podReview(pod('p'), 'x'));
    assert.deepEqual(podResponse.status, { code: 403, reason: 'Forbidden', message: 'not yet ready to handle request: caches not synced: sidecarSets, namespaces, revisions, whitelist' });
    const validation = await send(t, VALIDATE_SIDECARSET, sidecarSetReview(sidecarSet('s')), false);
    assert.equal(validation.status.code, 403);
    const defaults = await send(t, MUTATE_SIDECARSET, sidecarSetReview(sidecarSet('s')));
    assert.equal(defaults.allowed, true);
  });

  it('denies them too when a synced cache is stale: never inject from a cache known to be behind', async () => {
    for (const cache of [t.caches.sidecarSets, t.caches.namespaces, t.caches.revisions, t.caches.whitelist]) cache.setSynced(true);
    t.caches.sidecarSets.setStale(true);
    try {
      const podResponse = await send(t, MUTATE_POD, podReview(pod('p'), 'x'));
      assert.deepEqual(podResponse.status, { code: 403, reason: 'Forbidden', message: 'not yet ready to handle request: caches stale (the apiserver has not been heard from): sidecarSets' });
      assert.equal((await send(t, VALIDATE_SIDECARSET, sidecarSetReview(sidecarSet('s')), false)).status.code, 403);
      t.caches.sidecarSets.setStale(false);
      assert.equal((await send(t, MUTATE_POD, podReview(pod('p'), 'x'))).allowed, true);
    } finally {
      for (const cache of [t.caches.sidecarSets, t.caches.namespaces, t.caches.revisions, t.caches.whitelist]) cache.setSynced(false);
      t.caches.sidecarSets.setStale(false);
    }
  });
});

describe('admission server when a handler throws', () => {
  let t: TestWebhookServer;
  before(async () => {
    const caches = memoryClusterCaches();
    const failing = memoryCache<SidecarSet>();
    failing.list = () => {
      throw new TypeError('boom');
    };
    t = await startTestWebhookServer({ caches: { ...caches, sidecarSets: failing } });
  });
  after(() => t.close());

  it('admits the Pod unchanged with a warning, logs the error and counts it', async () => {
    const response = await send(t, MUTATE_POD, podReview(pod('p'), 'x'));
    assert.equal(response.allowed, true);
    assert.equal(response.patch, undefined);
    assert.deepEqual(response.warnings, ['sidecarset webhook: Pod admitted without sidecar injection after an internal error: boom']);
    assert.ok(t.logs.some((line) => line.level === 50 && line.msg === 'admission handler failed' && line.err?.message === 'boom'));
    assert.match(await t.registry.metrics(), /sidecarset_webhook_errors_total\{webhook="mutate-pod"\} 1/);
  });

  it('denies the SidecarSet with 403 (fail closed)', async () => {
    const response = await send(t, VALIDATE_SIDECARSET, sidecarSetReview(defaulted(sidecarSet('s'))), false);
    assert.deepEqual(response.status, { code: 403, reason: 'Forbidden', message: 'internal error while validating the SidecarSet: boom' });
  });
});

describe('admission server with a slow client', () => {
  let t: TestWebhookServer;
  before(async () => {
    t = await startTestWebhookServer({ server: { requestTimeoutMs: 400, timeoutCheckIntervalMs: 100 } });
  });
  after(() => t.close());

  it('answers 408 to a request whose body never completes, and keeps serving', async () => {
    const started = Date.now();
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: t.port, ca: t.tls.caPem }, () => {
        socket.write(`POST ${MUTATE_POD} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":`);
      });
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => (data += chunk));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1.1 408 Request Timeout/);
    assert.match(raw, /"reason":"Timeout"/);
    assert.ok(Date.now() - started < 3_000);
    assert.ok(t.logs.some((line) => line.msg === 'client error' && line.code === 408));
    assert.equal((await send(t, MUTATE_SIDECARSET, sidecarSetReview(sidecarSet('x')))).allowed, true);
  });
});

describe('mutate-pod and a namespace not yet cached', () => {
  const withSelector = (paused: boolean): SidecarSet =>
    defaulted(sidecarSet('mesh', { namespaceSelector: { matchLabels: { mesh: 'on' } }, injectionStrategy: { paused } }));
  const admit = (sidecarSets: SidecarSet[], namespaceWaitMs: number) => {
    const webhook = podInjectionWebhook({ caches: memoryClusterCaches({ sidecarSets }), namespaceWaitMs, excludedNamespaces: [], operatorNamespace: 'sidecarset-system', whitelistConfigMap: 'sidecarset-configuration' });
    return webhook.admit(parseAdmissionReview(podReview(pod('p'), 'not-cached')));
  };

  it('answers at once when only a paused SidecarSet selects namespaces: it injects nothing whatever the labels', () => {
    const outcome = admit([withSelector(true)], 10_000);
    assert.ok(!(outcome instanceof Promise), 'no wait for the namespace');
    assert.deepEqual(outcome, { allowed: true, warnings: [] });
  });

  it('waits for the namespace when a SidecarSet that may inject selects namespaces', async () => {
    const outcome = admit([withSelector(false)], 100);
    assert.ok(outcome instanceof Promise);
    assert.deepEqual(await outcome, { allowed: true, warnings: ['namespace not-cached not yet cached: SidecarSets with a namespaceSelector skipped'] });
  });
});
