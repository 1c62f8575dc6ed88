// Both SidecarSet versions over real TLS: the Kruise 1.8 and 1.9 paths each take v1alpha1 and v1beta1
// and judge them alike, and `/convert` answers ConversionReviews (every object or none, uid echoed,
// metrics and a log line for failures).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { convertSidecarSet } from '../../src/api/conversion.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { DNS1123_LABEL_MESSAGE } from './validation-helpers.ts';
import { sidecarSet, sidecarSetReview } from '../support/admission-requests.ts';
import { memoryClusterCaches, namespace } from '../support/memory-caches.ts';
import { startTestWebhookServer, type TestWebhookServer } from '../support/test-webhook-server.ts';
import { decodedPatch } from '../support/webhook-client.ts';

const MUTATE = ['/mutate-apps-kruise-io-v1alpha1-sidecarset', '/mutate-apps-kruise-io-sidecarset'];
const VALIDATE = ['/validate-apps-kruise-io-v1alpha1-sidecarset', '/validate-apps-kruise-io-sidecarset'];

const asV1beta1 = (object: Record<string, any>): Record<string, any> => convertSidecarSet(object, 'v1beta1') as unknown as Record<string, any>;

async function admit(t: TestWebhookServer, path: string, object: Record<string, any>): Promise<any> {
  const body = sidecarSetReview(object);
  const reply = await t.client.post(path, body);
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.json.response.uid, body.request.uid);
  return { ...reply.json.response, reply };
}

const conversionReview = (desiredAPIVersion: string, objects: unknown[], uid = randomUUID()) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'ConversionReview',
  request: { uid, desiredAPIVersion, objects },
});

describe('SidecarSet webhooks and /convert, both versions', () => {
  let t: TestWebhookServer;
  before(async () => {
    t = await startTestWebhookServer({ caches: memoryClusterCaches({ namespaces: [namespace('default')] }) });
  });
  after(() => t.close());

  for (const path of MUTATE) {
    it(`${path} defaults a v1beta1 object in its own version, with the hashes of the v1alpha1 one`, async () => {
      const alpha = sidecarSet('logs', { namespace: 'default' }, { labels: { 'apps.kruise.io/sidecarset-custom-version': 'v1' } });
      const beta = asV1beta1(alpha);
      const alphaResult = await admit(t, path, alpha);
      const betaResult = await admit(t, path, beta);
      const defaultedAlpha = jsonpatch.applyPatch(structuredClone(alpha), decodedPatch(alphaResult.reply)!, true, false).newDocument;
      const defaultedBeta = jsonpatch.applyPatch(structuredClone(beta), decodedPatch(betaResult.reply)!, true, false).newDocument;
      assert.equal(defaultedBeta.apiVersion, 'apps.kruise.io/v1beta1');
      assert.equal(defaultedBeta.spec.customVersion, 'v1');
      assert.equal(defaultedBeta.spec.namespace, undefined);
      assert.equal(defaultedBeta.spec.updateStrategy.type, 'RollingUpdate');
      for (const key of ['kruise.io/sidecarset-hash', 'kruise.io/sidecarset-hash-without-image']) {
        assert.equal(defaultedBeta.metadata.annotations[key], defaultedAlpha.metadata.annotations[key], key);
      }
      assert.deepEqual(convertSidecarSet(defaultedBeta, 'v1alpha1'), defaultedAlpha, 'the defaulted objects convert into each other');
    });
  }

  for (const path of VALIDATE) {
    it(`${path} judges v1alpha1 and v1beta1 by the same rules`, async () => {
      // A v1beta1 selector on kubernetes.io/metadata.name alone is what v1alpha1 spec.namespace says.
      const alpha = defaultSidecarSet(sidecarSet('logs', { selector: undefined, namespace: 'Team_A' }) as SidecarSet);
      const beta = defaultSidecarSet({ ...sidecarSet('logs', { selector: undefined, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'Team_A' } } }), apiVersion: 'apps.kruise.io/v1beta1' } as SidecarSet);
      const alphaResult = await admit(t, path, alpha as unknown as Record<string, any>);
      const betaResult = await admit(t, path, beta as unknown as Record<string, any>);
      const causes = (result: any) => result.status.details.causes.map((cause: any) => `${cause.field}: ${cause.message}`);
      assert.equal(alphaResult.allowed, false);
      assert.deepEqual(causes(alphaResult), [
        'spec.selector: Required value: no selector defined for SidecarSet',
        `spec.namespace: Invalid value: "Team_A": ${DNS1123_LABEL_MESSAGE}`,
      ]);
      assert.deepEqual(causes(betaResult), [
        'spec.selector: Required value: no selector defined for SidecarSet',
        `spec.namespaceSelector.matchLabels[kubernetes.io/metadata.name]: Invalid value: "Team_A": ${DNS1123_LABEL_MESSAGE}`,
      ]);
      const converted = defaultSidecarSet(asV1beta1(sidecarSet('logs', { namespace: 'team-a' })) as SidecarSet);
      assert.equal((await admit(t, path, converted as unknown as Record<string, any>)).allowed, true);
    });

    it(`${path} refuses v1alpha1's spec.namespace in a v1beta1 object as an unknown field`, async () => {
      const beta = asV1beta1(defaultSidecarSet(sidecarSet('logs') as SidecarSet) as unknown as Record<string, any>);
      beta.spec.namespace = 'default';
      const result = await admit(t, path, beta);
      assert.equal(result.allowed, false);
      assert.match(result.status.message, /spec\.namespace: Forbidden: unknown field "namespace"/);
    });
  }

  describe('/convert', () => {
    it('converts every object to the desired version and echoes the uid', async () => {
      const alpha = sidecarSet('a', { namespace: 'default' }, { labels: { 'apps.kruise.io/sidecarset-custom-version': 'v2' } });
      const beta = asV1beta1(sidecarSet('b'));
      const body = conversionReview('apps.kruise.io/v1beta1', [alpha, beta]);
      const reply = await t.client.post('/convert', body);
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.json, {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'ConversionReview',
        response: { uid: body.request.uid, result: { status: 'Success' }, convertedObjects: [asV1beta1(alpha), beta] },
      });
      const back = await t.client.post('/convert', conversionReview('apps.kruise.io/v1alpha1', reply.json.response.convertedObjects));
      assert.deepEqual(back.json.response.convertedObjects, [alpha, sidecarSet('b')]);
      assert.match(await t.registry.metrics(), /sidecarset_conversion_objects_total\{to="apps\.kruise\.io\/v1beta1"\} 2/);
    });

    it('fails the whole review when one object cannot be converted, never a partial list', async () => {
      const body = conversionReview('apps.kruise.io/v1alpha1', [asV1beta1(sidecarSet('good')), { apiVersion: 'apps.kruise.io/v3', kind: 'SidecarSet', metadata: { name: 'bad' } }]);
      const reply = await t.client.post('/convert', body);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json.response, {
        uid: body.request.uid,
        result: {
          status: 'Failure',
          message: 'objects[1] (bad): cannot convert to apps.kruise.io/v1alpha1: apiVersion "apps.kruise.io/v3" is not one of apps.kruise.io/v1beta1, apps.kruise.io/v1alpha1',
        },
      });
      assert.ok(t.logs.some((line) => line.msg === 'conversion failed' && line.uid === body.request.uid && line.level === 40), 'logged at warn');
      assert.match(await t.registry.metrics(), /sidecarset_conversion_reviews_total\{result="failure"\} 1/);
    });

    it('fails a review for a version it does not serve', async () => {
      const reply = await t.client.post('/convert', conversionReview('apps.kruise.io/v2', [sidecarSet('a')]));
      assert.equal(reply.json.response.result.status, 'Failure');
      assert.equal(reply.json.response.convertedObjects, undefined);
    });

    it('answers a malformed review with 400 and a Status', async () => {
      const reply = await t.client.post('/convert', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { desiredAPIVersion: 'x' } });
      assert.equal(reply.status, 400);
      assert.equal(reply.json.message, 'malformed ConversionReview: request.uid must be a non-empty string');
      assert.match(await t.registry.metrics(), /sidecarset_conversion_reviews_total\{result="malformed"\} 1/);
    });
  });
});
