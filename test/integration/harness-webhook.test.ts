// Proves registerWebhooks(): a Service-based webhook configuration, rewritten to
// https://127.0.0.1:<port>/<path> with our caBundle, is really called by the apiserver.

import assert from 'node:assert/strict';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AdmissionregistrationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { SKIP_REASON, deleteWebhooks, newServingCert, testControlPlane, waitFor } from '../control-plane/harness.ts';

const cp = await testControlPlane();

describe('webhook registration against the real apiserver', { skip: cp ? false : SKIP_REASON }, () => {
  const tls = newServingCert();
  const calls: string[] = [];
  let server: https.Server;
  let namespace: string;
  let registered: Awaited<ReturnType<NonNullable<typeof cp>['registerWebhooks']>> = [];
  const configName = `harness-probe-${process.pid}`;

  before(async () => {
    // Minimal mutating webhook: labels every ConfigMap it sees.
    server = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls.push(req.url ?? '');
        const review = JSON.parse(body) as { request: { uid: string } };
        const patch = [{ op: 'add', path: '/metadata/labels', value: { 'harness-probe': 'mutated' } }];
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: review.request.uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') },
        }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    namespace = await cp!.createNamespace({ prefix: 'webhook-probe', labels: { 'harness-probe': configName } });
    registered = await cp!.registerWebhooks([{
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: configName },
      webhooks: [{
        name: 'probe.harness.sidecarset.test',
        clientConfig: { service: { name: 'sidecarset-webhook', namespace: 'sidecarset-system', path: '/mutate-probe', port: 443 } },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
        // Only this test's namespace: the control plane is shared with other test files.
        namespaceSelector: { matchLabels: { 'harness-probe': configName } },
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        failurePolicy: 'Fail',
        timeoutSeconds: 5,
      }],
    }], { port: (server.address() as AddressInfo).port, caBundle: tls.caPem });
  });

  after(async () => {
    if (cp) await deleteWebhooks(cp.kubeConfig, registered);
    server?.close();
  });

  it('rewrites only clientConfig and keeps everything else', async () => {
    const got = await cp!.kubeConfig.makeApiClient(AdmissionregistrationV1Api).readMutatingWebhookConfiguration({ name: configName });
    const wh = got.webhooks![0];
    assert.equal(wh.clientConfig.url, `https://127.0.0.1:${(server.address() as AddressInfo).port}/mutate-probe`);
    assert.equal(wh.clientConfig.service, undefined);
    assert.equal(Buffer.from(wh.clientConfig.caBundle!, 'base64').toString(), tls.caPem);
    assert.equal(wh.failurePolicy, 'Fail');
    assert.deepEqual(wh.namespaceSelector?.matchLabels, { 'harness-probe': configName });
  });

  it('the apiserver calls the webhook (server-side dry run comes back mutated)', async () => {
    const core = cp!.kubeConfig.makeApiClient(CoreV1Api);
    // The apiserver picks new configurations up asynchronously: poll until it does.
    const cm = await waitFor('dry-run ConfigMap mutated by the webhook', async () => {
      const res = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'probe' } }, dryRun: 'All' });
      return res.metadata?.labels?.['harness-probe'] === 'mutated' ? res : undefined;
    }, { timeoutMs: 20_000 });
    assert.equal(cm.metadata?.labels?.['harness-probe'], 'mutated');
    assert.ok(calls.includes('/mutate-probe?timeout=5s'), `webhook saw ${JSON.stringify(calls)}`);
  });
});
