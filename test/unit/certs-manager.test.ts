// The certificate manager against a small in-memory apiserver on 127.0.0.1 (one Secret, the two
// webhook configurations and the CRD): when the Secret is lost and a new CA is made, the replica
// keeps serving its current certificate until every configuration trusts the new one.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { KubeConfig } from '@kubernetes/client-node';
import jsonpatch from 'fast-json-patch';
import { bundleTrusts } from '../../certs/certificate-set.ts';
import { startCertificateManager, type ServingCertificate } from '../../certs/manager.ts';
import { CRD_NAME } from '../../src/api/crd.ts';
import { waitFor } from '../control-plane/harness.ts';
import { plainKubeConfig } from '../support/plain-kube-config.ts';
import { recordingLogger } from './recording-logger.ts';

const NAMESPACE = 'ops';
const SECRET = 'certs';
const SECRETS = `/api/v1/namespaces/${NAMESPACE}/secrets`;
const MUTATING = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
const VALIDATING = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

type Stored = Record<string, any>;

/** Objects by item path; lists answer empty and watches stay open and silent (the manager polls). */
async function startApiserver(): Promise<{ kubeConfig: KubeConfig; objects: Map<string, Stored>; close(): Promise<void> }> {
  const clientConfig = { service: { name: 'hook', namespace: NAMESPACE, path: '/p' } };
  const objects = new Map<string, Stored>([
    [`${MUTATING}/m`, { kind: 'MutatingWebhookConfiguration', metadata: { name: 'm', resourceVersion: '1' }, webhooks: [{ name: 'a.x', clientConfig: structuredClone(clientConfig) }] }],
    [`${VALIDATING}/v`, { kind: 'ValidatingWebhookConfiguration', metadata: { name: 'v', resourceVersion: '1' }, webhooks: [{ name: 'b.x', clientConfig: structuredClone(clientConfig) }] }],
    [`${CRDS}/${CRD_NAME}`, { kind: 'CustomResourceDefinition', metadata: { name: CRD_NAME, resourceVersion: '1' }, spec: { conversion: { strategy: 'Webhook', webhook: { clientConfig: structuredClone(clientConfig) } } } }],
  ]);
  let version = 1;
  const answer = (response: http.ServerResponse, status: number, body: unknown): void => {
    response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = http.createServer(async (request, response) => {
    let text = '';
    for await (const chunk of request) text += chunk;
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.searchParams.get('watch') === 'true') {
      response.writeHead(200, { 'Content-Type': 'application/json' }).flushHeaders();
      return;
    }
    if ([SECRETS, MUTATING, VALIDATING, CRDS].includes(url.pathname)) {
      if (request.method === 'GET') return answer(response, 200, { kind: 'List', metadata: { resourceVersion: String(version) }, items: [] });
      const body = JSON.parse(text) as Stored; // POST: create the Secret
      const path = `${url.pathname}/${body.metadata.name}`;
      if (objects.has(path)) return answer(response, 409, { kind: 'Status', code: 409, reason: 'AlreadyExists' });
      objects.set(path, { ...body, metadata: { ...body.metadata, resourceVersion: String(++version) } });
      return answer(response, 201, objects.get(path));
    }
    const current = objects.get(url.pathname);
    if (!current) return answer(response, 404, { kind: 'Status', code: 404, reason: 'NotFound' });
    if (request.method === 'GET') return answer(response, 200, current);
    if (request.method === 'DELETE') {
      objects.delete(url.pathname);
      return answer(response, 200, { kind: 'Status', status: 'Success' });
    }
    const next = request.method === 'PATCH'
      ? jsonpatch.applyPatch(structuredClone(current), JSON.parse(text) as jsonpatch.Operation[], true).newDocument
      : JSON.parse(text) as Stored;
    if (next.metadata.resourceVersion !== current.metadata.resourceVersion) return answer(response, 409, { kind: 'Status', code: 409, reason: 'Conflict' });
    objects.set(url.pathname, { ...next, metadata: { ...next.metadata, resourceVersion: String(++version) } });
    return answer(response, 200, objects.get(url.pathname));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeConfig = plainKubeConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    kubeConfig,
    objects,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('certificate manager', () => {
  it('after the Secret is deleted, serves the new certificate only once both configurations and the CRD trust its CA', { timeout: 30_000 }, async () => {
    const apiserver = await startApiserver();
    const bundles = (): string[] => [
      ...apiserver.objects.get(`${MUTATING}/m`)!.webhooks,
      ...apiserver.objects.get(`${VALIDATING}/v`)!.webhooks,
      apiserver.objects.get(`${CRDS}/${CRD_NAME}`)!.spec.conversion.webhook,
    ].map((webhook: Stored) => Buffer.from(webhook.clientConfig.caBundle ?? '', 'base64').toString());
    /** For every certificate served: did every published bundle trust it at that moment? */
    const served: { certificate: ServingCertificate; trustedByAll: boolean }[] = [];
    const manager = startCertificateManager({
      kubeConfig: apiserver.kubeConfig,
      namespace: NAMESPACE,
      secretName: SECRET,
      serviceName: 'hook',
      mutatingWebhookConfiguration: 'm',
      validatingWebhookConfiguration: 'v',
      onCertificate: (certificate) => {
        served.push({ certificate, trustedByAll: bundles().every((bundle) => bundleTrusts(bundle, certificate.cert)) });
      },
      logger: recordingLogger(),
      checkIntervalMs: 50,
    });
    try {
      await manager.untilReady();
      await waitFor('the first CA published', () => bundles().every((bundle) => bundleTrusts(bundle, served[0].certificate.cert)), { timeoutMs: 10_000, intervalMs: 20 });

      apiserver.objects.delete(`${SECRETS}/${SECRET}`);
      await waitFor('a certificate of the new CA served', () => served.length >= 2, { timeoutMs: 10_000, intervalMs: 20 });
      assert.equal(served.length, 2);
      assert.equal(bundleTrusts(served[0].certificate.caBundle, served[1].certificate.cert), false, 'the second certificate is signed by a new CA');
      assert.deepEqual(served.slice(1).map((s) => s.trustedByAll), [true], 'served only once every configuration trusts it');
    } finally {
      await manager.stop();
      await apiserver.close();
    }
  });
});
