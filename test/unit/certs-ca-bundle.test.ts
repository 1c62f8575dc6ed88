// caBundle injection into the operator's two webhook configurations and the CRD's conversion webhook.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import jsonpatch from 'fast-json-patch';
import {
  caBundlePatch,
  createCaBundleInjector,
  webhookConfigurationApi,
  type WebhookConfiguration as V1MutatingWebhookConfiguration,
  type WebhookConfigurationApi,
} from '../../certs/ca-bundle.ts';
import { KubeApiError } from '../../src/kube/kube-http.ts';
import { plainKubeConfig } from '../support/plain-kube-config.ts';
import { recordingLogger } from './recording-logger.ts';

/** `config` with the caBundle patch applied, or undefined when there is nothing to patch. */
function withCaBundle(config: V1MutatingWebhookConfiguration, caBundle: string): V1MutatingWebhookConfiguration | undefined {
  const patch = caBundlePatch(config, caBundle);
  return patch && jsonpatch.applyPatch(structuredClone(config), patch as jsonpatch.Operation[], true).newDocument;
}

const configuration = (...bundles: (string | undefined)[]): V1MutatingWebhookConfiguration => ({
  metadata: { name: 'hooks', resourceVersion: '7' },
  webhooks: bundles.map((caBundle, i) => ({
    name: `w${i}.example.com`,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    clientConfig: { service: { name: 's', namespace: 'n', path: `/p${i}` }, ...(caBundle === undefined ? {} : { caBundle }) },
  })),
});

const crd = (caBundle?: string, conversion = true): Record<string, any> => ({
  kind: 'CustomResourceDefinition',
  metadata: { name: 'sidecarsets.apps.kruise.io', resourceVersion: '3' },
  spec: { group: 'apps.kruise.io', conversion: conversion ? { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { name: 's', namespace: 'n', path: '/convert' }, ...(caBundle ? { caBundle } : {}) } } } : { strategy: 'None' } },
});

describe('caBundle patch', () => {
  it('sets the bundle of our CRD conversion webhook only; a CRD converted without a webhook, or by someone else, has none to set', () => {
    assert.deepEqual(caBundlePatch(crd(), 'bmV3', 'n'), [
      { op: 'replace', path: '/metadata/resourceVersion', value: '3' },
      { op: 'add', path: '/spec/conversion/webhook/clientConfig/caBundle', value: 'bmV3' },
    ]);
    assert.equal(caBundlePatch(crd('bmV3'), 'bmV3', 'n'), undefined);
    assert.equal(caBundlePatch(crd(undefined, false), 'bmV3', 'n'), undefined);
    assert.equal(caBundlePatch(crd(), 'bmV3', 'elsewhere'), undefined, 'a conversion webhook in another namespace is not ours');
  });

  it('sets the bundle on every webhook and leaves everything else, the input included, untouched', () => {
    const input = configuration(undefined, 'b2xk');
    const before = structuredClone(input);
    const updated = withCaBundle(input, 'bmV3');
    assert.deepEqual(input, before);
    assert.deepEqual(updated?.webhooks?.map((w) => w.clientConfig.caBundle), ['bmV3', 'bmV3']);
    assert.deepEqual(updated?.webhooks?.map((w) => w.clientConfig.service?.path), ['/p0', '/p1']);
    assert.equal(updated?.metadata?.resourceVersion, '7', 'kept for optimistic concurrency');
  });

  it('returns undefined when every webhook already holds the bundle, or there are none', () => {
    assert.equal(withCaBundle(configuration('bmV3', 'bmV3'), 'bmV3'), undefined);
    assert.equal(withCaBundle(configuration(), 'bmV3'), undefined);
  });
});

describe('caBundle injector', () => {
  /** An admission API holding at most the two named configurations, with scripted conflicts. */
  function fakeAdmission(objects: Map<string, V1MutatingWebhookConfiguration>, conflicts = { count: 0 }): WebhookConfigurationApi {
    return {
      read: async (_kind, name) => {
        const found = objects.get(name);
        if (!found) throw new KubeApiError(404, `${name} not found`, 'NotFound');
        return structuredClone(found);
      },
      patch: async (_kind, name, operations) => {
        if (conflicts.count > 0) {
          conflicts.count--;
          throw new KubeApiError(409, 'the object has been modified', 'Conflict');
        }
        const patched = jsonpatch.applyPatch(structuredClone(objects.get(name)!), operations as jsonpatch.Operation[], true).newDocument;
        objects.set(name, patched);
        return patched;
      },
    };
  }
  const bundle = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n';
  const encoded = Buffer.from(bundle).toString('base64');

  it('patches both configurations, retries conflicts, and reports whether anything changed', async () => {
    const objects = new Map([['m', configuration(undefined)], ['v', configuration('b2xk', 'b2xk')], ['c', crd('b2xk') as V1MutatingWebhookConfiguration]]);
    const logger = recordingLogger();
    const injector = createCaBundleInjector({ api: fakeAdmission(objects, { count: 2 }), mutatingWebhookConfiguration: 'm', validatingWebhookConfiguration: 'v', customResourceDefinition: 'c', namespace: 'n', logger });
    assert.equal(await injector.publish(bundle), true);
    assert.deepEqual([objects.get('m')!, objects.get('v')!].flatMap((c) => c.webhooks!.map((w) => w.clientConfig.caBundle)), [encoded, encoded, encoded]);
    assert.equal((objects.get('c') as Record<string, any>).spec.conversion.webhook.clientConfig.caBundle, encoded);
    assert.equal(await injector.publish(bundle), false, 'nothing left to change');
    assert.equal(logger.lines.filter((l) => l.msg === 'caBundle injected').length, 3);
  });

  it('skips a missing configuration, says so once, and patches it when it appears', async () => {
    const objects = new Map([['v', configuration(undefined)], ['c', crd() as V1MutatingWebhookConfiguration]]);
    const logger = recordingLogger();
    const injector = createCaBundleInjector({ api: fakeAdmission(objects), mutatingWebhookConfiguration: 'm', validatingWebhookConfiguration: 'v', customResourceDefinition: 'c', namespace: 'n', logger });
    assert.equal(await injector.publish(bundle), true);
    assert.equal(await injector.publish(bundle), false);
    assert.deepEqual(logger.lines.filter((l) => l.level === 'warn').map((l) => [l.kind, l.msg]), [['MutatingWebhookConfiguration', 'webhook configuration not found; caBundle will be injected when it appears']]);
    objects.set('m', configuration(undefined));
    assert.equal(await injector.publish(bundle), true);
    assert.equal(objects.get('m')!.webhooks![0].clientConfig.caBundle, encoded);
    assert.ok(logger.lines.some((l) => l.msg === 'webhook configuration appeared'));
  });

  it('gives up after repeated conflicts with an error (the sync is retried)', async () => {
    const objects = new Map([['m', configuration(undefined)], ['v', configuration(undefined)]]);
    const injector = createCaBundleInjector({ api: fakeAdmission(objects, { count: 100 }), mutatingWebhookConfiguration: 'm', validatingWebhookConfiguration: 'v', customResourceDefinition: 'c', namespace: 'n', logger: recordingLogger() });
    await assert.rejects(injector.publish(bundle), /lost 5 update races in a row/);
  });
});

describe('caBundle injection over HTTP', () => {
  it('patches only caBundle, so fields no type here knows survive, and sends the resourceVersion it read', async () => {
    const stored: Record<string, unknown> = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'm', resourceVersion: '7' },
      futureTopLevelField: { kept: true },
      webhooks: [{ name: 'w.example.com', futureWebhookField: 'kept', clientConfig: { url: 'https://127.0.0.1/p', futureClientField: 1 } }],
    };
    const requests: { method?: string; contentType?: string; body: string }[] = [];
    const server = http.createServer(async (request, response) => {
      let body = '';
      for await (const chunk of request) body += chunk;
      requests.push({ method: request.method, contentType: request.headers['content-type'], body });
      if (request.method === 'PATCH') {
        const operations = JSON.parse(body) as jsonpatch.Operation[];
        Object.assign(stored, jsonpatch.applyPatch(structuredClone(stored), operations, true).newDocument);
      }
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(stored));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const kubeConfig = plainKubeConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const injector = createCaBundleInjector({ api: webhookConfigurationApi(kubeConfig), mutatingWebhookConfiguration: 'm', validatingWebhookConfiguration: 'm', customResourceDefinition: 'm', namespace: 'n', logger: recordingLogger() });
      assert.equal(await injector.publish('CA'), true);
      const patch = requests.find((r) => r.method === 'PATCH')!;
      assert.equal(patch.contentType, 'application/json-patch+json');
      assert.deepEqual(JSON.parse(patch.body), [
        { op: 'replace', path: '/metadata/resourceVersion', value: '7' },
        { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: Buffer.from('CA').toString('base64') },
      ]);
      assert.deepEqual(stored.futureTopLevelField, { kept: true });
      assert.deepEqual(stored.webhooks, [
        { name: 'w.example.com', futureWebhookField: 'kept', clientConfig: { url: 'https://127.0.0.1/p', futureClientField: 1, caBundle: Buffer.from('CA').toString('base64') } },
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
