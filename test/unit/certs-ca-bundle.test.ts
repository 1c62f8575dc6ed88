// caBundle injection into the operator's two webhook configurations.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiException, type AdmissionregistrationV1Api, type V1MutatingWebhookConfiguration } from '@kubernetes/client-node';
import { createCaBundleInjector, withCaBundle } from '../../certs/ca-bundle.ts';
import { recordingLogger } from './recording-logger.ts';

const configuration = (...bundles: (string | undefined)[]): V1MutatingWebhookConfiguration => ({
  metadata: { name: 'hooks', resourceVersion: '7' },
  webhooks: bundles.map((caBundle, i) => ({
    name: `w${i}.example.com`,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    clientConfig: { service: { name: 's', namespace: 'n', path: `/p${i}` }, ...(caBundle === undefined ? {} : { caBundle }) },
  })),
});

describe('withCaBundle', () => {
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
  function fakeAdmission(objects: Map<string, V1MutatingWebhookConfiguration>, conflicts = { count: 0 }) {
    const read = (name: string) => {
      const found = objects.get(name);
      if (!found) throw new ApiException(404, 'not found', JSON.stringify({ message: `${name} not found` }), {});
      return structuredClone(found);
    };
    const replace = ({ name, body }: { name: string; body: V1MutatingWebhookConfiguration }) => {
      if (conflicts.count > 0) {
        conflicts.count--;
        throw new ApiException(409, 'conflict', JSON.stringify({ message: 'the object has been modified' }), {});
      }
      objects.set(name, body);
      return body;
    };
    return {
      readMutatingWebhookConfiguration: async ({ name }: { name: string }) => read(name),
      readValidatingWebhookConfiguration: async ({ name }: { name: string }) => read(name),
      replaceMutatingWebhookConfiguration: async (params: { name: string; body: V1MutatingWebhookConfiguration }) => replace(params),
      replaceValidatingWebhookConfiguration: async (params: { name: string; body: V1MutatingWebhookConfiguration }) => replace(params),
    } as unknown as AdmissionregistrationV1Api;
  }
  const bundle = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n';
  const encoded = Buffer.from(bundle).toString('base64');

  it('patches both configurations, retries conflicts, and reports whether anything changed', async () => {
    const objects = new Map([['m', configuration(undefined)], ['v', configuration('b2xk', 'b2xk')]]);
    const logger = recordingLogger();
    const injector = createCaBundleInjector({ api: fakeAdmission(objects, { count: 2 }), mutatingWebhookConfiguration: 'm', validatingWebhookConfiguration: 'v', logger });
    assert.equal(await injector.publish(bundle), true);
    assert.deepEqual([...objects.values()].flatMap((c) => c.webhooks!.map((w) => w.clientConfig.caBundle)), [encoded, encoded, encoded]);
    assert.equal(await injector.publish(bundle), false, 'nothing left to change');
    assert.equal(logger.lines.filter((l) => l.msg === 'caBundle injected').length, 2);
  });

  it('skips a missing configuration, says so once, and patches it when it appears', async () => {
    const objects = new Map([['v', configuration(undefined)]]);
    const logger = recordingLogger();
    const injector = createCaBundleInjector({ api: fakeAdmission(objects), mutatingWebhookConfiguration: 'm', validatingWebhookConfiguration: 'v', logger });
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
    const injector = createCaBundleInjector({ api: fakeAdmission(objects, { count: 100 }), mutatingWebhookConfiguration: 'm', validatingWebhookConfiguration: 'v', logger: recordingLogger() });
    await assert.rejects(injector.publish(bundle), /lost 5 update races in a row/);
  });
});
