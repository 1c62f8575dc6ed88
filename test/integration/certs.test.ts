// Self-managed webhook certificates against a real kube-apiserver, with the real operator
// (src/operator/operator.ts) serving the admission webhooks in this process:
//   - from nothing: the Secret is created, caBundle lands in both configurations, and the
//     apiserver calls the webhooks (Pods get their sidecar) with no manual step;
//   - an overwritten caBundle and a foreign Secret are repaired;
//   - two replicas started together serve one certificate;
//   - the serving certificate and then the CA rotate (lifetimes of seconds) while Pods are created
//     and a SidecarSet is updated without pause, through a round-robin "Service" in front of two
//     replicas: no request fails, and the apiserver shakes hands with (so verifies) every serving
//     certificate the Secret held (connections opened with a replaced one close after one reply).
// The configurations use url clientConfig (https://127.0.0.1:<port>, hence the IP SAN) and are
// scoped to this file's namespace and labelled SidecarSets: other suites share the control plane.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type V1MutatingWebhookConfiguration,
  type V1Pod,
  type V1Secret,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import type { CertificateExtras } from '../../src/operator/certificates-component.ts';
import { MANAGED_BY_LABEL } from '../../certs/secret-layout.ts';
import { GROUP, PLURAL, VERSION } from '../../src/api/sidecarset.ts';
import type { Operator } from '../../src/operator/operator.ts';
import { SKIP_REASON, testControlPlane, waitFor, type Cluster } from '../control-plane/harness.ts';
import { certificateLoaded, startSelfManagedReplica } from '../support/self-managed-replica.ts';

const cp = await testControlPlane();
const SIDECAR = 'certs-test-sidecar';
const SCOPE_LABEL = 'certs-test.sidecarset.io/scope';
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const b64 = (text: string): string => Buffer.from(text).toString('base64');
const secretText = (secret: V1Secret | undefined, key: string): string => Buffer.from(secret?.data?.[key] ?? '', 'base64').toString();

interface Setup {
  /** Operator namespace: Secret lives here. */
  namespace: string;
  /** Where test Pods are created; the only namespace the Pod webhook sees. */
  podNamespace: string;
  secretName: string;
  mutating: string;
  validating: string;
  /** Selects this setup's Pods (SidecarSet selector) and SidecarSets (webhook objectSelector). */
  app: string;
}

async function newSetup(cluster: Cluster): Promise<Setup> {
  return {
    namespace: await cluster.createNamespace({ prefix: 'certs-op' }),
    podNamespace: await cluster.createNamespace({ prefix: 'certs-pods' }),
    secretName: 'sidecarset-webhook-certs',
    mutating: unique('certs-mutating'),
    validating: unique('certs-validating'),
    app: unique('app'),
  };
}

const operators: Operator[] = [];

async function startReplica(cluster: Cluster, setup: Setup, extras: CertificateExtras = {}): Promise<Operator> {
  const operator = await startSelfManagedReplica(cluster, {
    namespace: setup.namespace,
    secretName: setup.secretName,
    mutatingWebhookConfiguration: setup.mutating,
    validatingWebhookConfiguration: setup.validating,
  }, extras);
  operators.push(operator);
  return operator;
}

async function stopReplica(operator: Operator): Promise<void> {
  operators.splice(operators.indexOf(operator), 1);
  await operator.stop();
}

/** The certificate a TLS server on 127.0.0.1:port presents (no verification: we only look). */
function servedCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const peer = socket.getPeerX509Certificate();
      socket.end();
      if (peer) resolve(peer);
      else reject(new Error('no peer certificate'));
    });
    socket.on('error', reject);
  });
}

/** The operator's two configurations, pointed at 127.0.0.1:port, without any caBundle. */
function webhookConfigurations(setup: Setup, port: number): { mutating: V1MutatingWebhookConfiguration; validating: V1ValidatingWebhookConfiguration } {
  const common = { admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail', timeoutSeconds: 10 };
  const url = (p: string) => ({ url: `https://127.0.0.1:${port}${p}` });
  const sidecarSetRule = { apiGroups: [GROUP], apiVersions: [VERSION], resources: [PLURAL], operations: ['CREATE', 'UPDATE'] };
  const ownSidecarSets = { matchLabels: { [SCOPE_LABEL]: setup.app } };
  return {
    mutating: {
      metadata: { name: setup.mutating },
      webhooks: [
        {
          ...common,
          name: 'mpod.certs-test.sidecarset.io',
          clientConfig: url('/mutate-pod'),
          rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': setup.podNamespace } },
        },
        { ...common, name: 'msidecarset.certs-test.sidecarset.io', clientConfig: url('/mutate-apps-kruise-io-v1alpha1-sidecarset'), rules: [sidecarSetRule], objectSelector: ownSidecarSets },
      ],
    },
    validating: {
      metadata: { name: setup.validating },
      webhooks: [
        { ...common, name: 'vsidecarset.certs-test.sidecarset.io', clientConfig: url('/validate-apps-kruise-io-v1alpha1-sidecarset'), rules: [sidecarSetRule], objectSelector: ownSidecarSets },
      ],
    },
  };
}

function sidecarSet(setup: Setup): Record<string, unknown> {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'SidecarSet',
    metadata: { name: setup.app, labels: { [SCOPE_LABEL]: setup.app } },
    spec: {
      namespace: setup.podNamespace,
      selector: { matchLabels: { app: setup.app } },
      containers: [{ name: SIDECAR, image: 'busybox:1.36' }],
    },
  };
}

const pod = (setup: Setup): V1Pod => ({
  metadata: { generateName: 'p-', labels: { app: setup.app } },
  spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
});

const injected = (created: V1Pod): boolean => (created.spec?.containers ?? []).some((c) => c.name === SIDECAR);

/** Registers the configurations and waits until the apiserver admits through them: a Pod comes back injected. */
async function webhooksWorking(cluster: Cluster, setup: Setup, port: number): Promise<void> {
  const admission = cluster.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const objects = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
  const { mutating, validating } = webhookConfigurations(setup, port);
  await admission.createMutatingWebhookConfiguration({ body: mutating });
  await admission.createValidatingWebhookConfiguration({ body: validating });
  await waitFor('the SidecarSet admitted through both configurations', async () => {
    await objects.createClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, body: sidecarSet(setup) });
    return true;
  }, { timeoutMs: 30_000, intervalMs: 200 });
  await waitFor('a Pod injected through the webhook (server-side dry run)', async () => {
    return injected(await core.createNamespacedPod({ namespace: setup.podNamespace, body: pod(setup), dryRun: 'All' }));
  }, { timeoutMs: 30_000, intervalMs: 200 });
}

async function caBundles(cluster: Cluster, setup: Setup): Promise<(string | undefined)[]> {
  const admission = cluster.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const mutating = await admission.readMutatingWebhookConfiguration({ name: setup.mutating });
  const validating = await admission.readValidatingWebhookConfiguration({ name: setup.validating });
  return [...(mutating.webhooks ?? []), ...(validating.webhooks ?? [])].map((w) => w.clientConfig.caBundle);
}

async function deleteConfigurations(cluster: Cluster, setup: Setup): Promise<void> {
  const admission = cluster.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  await admission.deleteMutatingWebhookConfiguration({ name: setup.mutating }).catch(() => undefined);
  await admission.deleteValidatingWebhookConfiguration({ name: setup.validating }).catch(() => undefined);
}

/** A stand-in for a Service with two endpoints: each new connection goes to the next port. */
async function roundRobin(ports: number[]): Promise<{ port: number; connections: number[]; close(): Promise<void> }> {
  const connections = ports.map(() => 0);
  const sockets = new Set<net.Socket>();
  let next = 0;
  const server = net.createServer((client) => {
    const index = next++ % ports.length;
    connections[index]++;
    const upstream = net.connect(ports[index], '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** TLS handshakes the replicas completed, summed by serial of the serving certificate presented. */
async function handshakesBySerial(replicas: Operator[]): Promise<Map<string, number>> {
  const counted = new Map<string, number>();
  for (const replica of replicas) {
    const metric = replica.registry.getSingleMetric('sidecarset_webhook_tls_handshakes_total');
    if (!metric) throw new Error('no sidecarset_webhook_tls_handshakes_total metric');
    for (const { labels, value } of (await metric.get()).values) {
      const serial = String(labels.serial);
      counted.set(serial, (counted.get(serial) ?? 0) + value);
    }
  }
  return counted;
}

describe('self-managed webhook certificates on a real kube-apiserver', { skip: cp ? false : SKIP_REASON }, () => {
  const cluster = cp!;
  let core: CoreV1Api;
  const setups: Setup[] = [];
  const setupFor = async (): Promise<Setup> => {
    const setup = await newSetup(cluster);
    setups.push(setup);
    return setup;
  };

  before(async () => {
    await cluster.installCRDs();
    core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  });

  after(async () => {
    await Promise.all(operators.splice(0).map((operator) => operator.stop()));
    for (const setup of setups) await deleteConfigurations(cluster, setup);
  });

  it('starts from nothing: creates the Secret, injects caBundle, and the webhooks answer with no manual step', async () => {
    const setup = await setupFor();
    const started = performance.now();
    const replica = await startReplica(cluster, setup);
    await waitFor('certificate loaded', () => certificateLoaded(replica), { timeoutMs: 30_000, intervalMs: 20 });
    const readyMs = Math.round(performance.now() - started);

    const secret = await core.readNamespacedSecret({ name: setup.secretName, namespace: setup.namespace });
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.equal(secret.metadata?.labels?.[MANAGED_BY_LABEL], 'sidecarset');
    assert.deepEqual(Object.keys(secret.data ?? {}).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    const served = await servedCertificate(replica.ports.webhook);
    assert.equal(served.fingerprint256, new X509Certificate(secretText(secret, 'tls.crt')).fingerprint256, 'the replica serves the stored certificate');

    // The configurations appear only now (a fresh install races like this): patched once they exist.
    await webhooksWorking(cluster, setup, replica.ports.webhook);
    assert.deepEqual(await caBundles(cluster, setup), [b64(secretText(secret, 'ca.crt')), b64(secretText(secret, 'ca.crt')), b64(secretText(secret, 'ca.crt'))]);
    const created = await core.createNamespacedPod({ namespace: setup.podNamespace, body: pod(setup) });
    assert.ok(injected(created), 'the Pod got its sidecar through the webhook');
    process.stderr.write(`[certs] first replica ready (certificate generated and served) in ${readyMs} ms\n`);
  });

  it('restores an overwritten caBundle, and repairs a foreign Secret', async () => {
    const setup = await setupFor();
    // A Secret someone else left under our name, of a type we cannot keep.
    await core.createNamespacedSecret({ namespace: setup.namespace, body: { metadata: { name: setup.secretName }, type: 'kubernetes.io/basic-auth', stringData: { username: 'u', password: 'p' } } });
    const replica = await startReplica(cluster, setup);
    await waitFor('certificate loaded', () => certificateLoaded(replica), { timeoutMs: 30_000, intervalMs: 50 });
    const secret = await core.readNamespacedSecret({ name: setup.secretName, namespace: setup.namespace });
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.deepEqual(Object.keys(secret.data ?? {}).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    await webhooksWorking(cluster, setup, replica.ports.webhook);

    const admission = cluster.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    const current = await admission.readMutatingWebhookConfiguration({ name: setup.mutating });
    for (const webhook of current.webhooks ?? []) webhook.clientConfig.caBundle = b64('-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----\n');
    await admission.replaceMutatingWebhookConfiguration({ name: setup.mutating, body: current });
    const expected = b64(secretText(secret, 'ca.crt'));
    await waitFor('caBundle restored', async () => (await caBundles(cluster, setup)).every((bundle) => bundle === expected), { timeoutMs: 10_000, intervalMs: 50 });

    // Corrupt the stored CA: a new CA is issued and published, and the webhooks work again.
    await core.patchNamespacedSecret({ name: setup.secretName, namespace: setup.namespace, body: { data: { 'ca.crt': b64('garbage') } } }, MERGE_PATCH);
    const repaired = await waitFor('Secret repaired', async () => {
      const now = await core.readNamespacedSecret({ name: setup.secretName, namespace: setup.namespace });
      return secretText(now, 'ca.crt').startsWith('-----BEGIN CERTIFICATE-----') ? now : undefined;
    }, { timeoutMs: 10_000, intervalMs: 50 });
    await waitFor('new caBundle published', async () => (await caBundles(cluster, setup)).every((bundle) => bundle === b64(secretText(repaired, 'ca.crt'))), { timeoutMs: 10_000, intervalMs: 50 });
    await waitFor('a Pod injected after the repair', async () => injected(await core.createNamespacedPod({ namespace: setup.podNamespace, body: pod(setup), dryRun: 'All' })), { timeoutMs: 30_000, intervalMs: 200 });
  });

  it('two replicas started together end up serving one certificate', async () => {
    const setup = await setupFor();
    const replicas = await Promise.all([startReplica(cluster, setup), startReplica(cluster, setup)]);
    await waitFor('both certificates loaded', () => replicas.every(certificateLoaded), { timeoutMs: 30_000, intervalMs: 50 });
    const secret = await core.readNamespacedSecret({ name: setup.secretName, namespace: setup.namespace });
    const stored = new X509Certificate(secretText(secret, 'tls.crt')).fingerprint256;
    await waitFor('both replicas serve the stored certificate', async () => {
      const served = await Promise.all(replicas.map((replica) => servedCertificate(replica.ports.webhook)));
      return served.every((certificate) => certificate.fingerprint256 === stored);
    }, { timeoutMs: 10_000, intervalMs: 100 });
  });

  it('rotates the serving certificate, then the CA, under load with zero failed requests', { timeout: 180_000 }, async () => {
    const setup = await setupFor();
    const SECOND = 1000;
    const extras: CertificateExtras = {
      lifetimes: { servingMs: 9 * SECOND, caMs: 30 * SECOND, overlapMs: 3 * SECOND, backdateMs: 0 },
      checkIntervalMs: 500,
    };
    const replicas = await Promise.all([startReplica(cluster, setup, extras), startReplica(cluster, setup, extras)]);
    await waitFor('both certificates loaded', () => replicas.every(certificateLoaded), { timeoutMs: 30_000, intervalMs: 50 });
    const service = await roundRobin(replicas.map((replica) => replica.ports.webhook));
    try {
      await webhooksWorking(cluster, setup, service.port);
      const objects = cluster.kubeConfig.makeApiClient(CustomObjectsApi);

      // Watch the Secret's history: serving serials, CA serials, bundle sizes.
      const history: { at: number; ca: string; serving: string; trusted: number }[] = [];
      const observe = async (): Promise<void> => {
        const secret = await core.readNamespacedSecret({ name: setup.secretName, namespace: setup.namespace });
        const entry = {
          at: Date.now(),
          ca: new X509Certificate(secretText(secret, 'ca.crt')).serialNumber,
          serving: new X509Certificate(secretText(secret, 'tls.crt')).serialNumber,
          trusted: Object.keys(secret.data ?? {}).filter((key) => key.endsWith('ca.crt')).length,
        };
        const last = history.at(-1);
        if (!last || last.ca !== entry.ca || last.serving !== entry.serving || last.trusted !== entry.trusted) history.push(entry);
      };
      await observe();
      const firstCa = history[0].ca;
      const rotated = (): boolean => {
        const servingRenewedUnderFirstCa = history.filter((h) => h.ca === firstCa).map((h) => h.serving);
        const afterSwitch = history.findIndex((h) => h.ca !== firstCa);
        return new Set(servingRenewedUnderFirstCa).size >= 2 && afterSwitch >= 0 && history.slice(afterSwitch).some((h) => h.trusted === 1);
      };

      const failures: string[] = [];
      const started = Date.now();
      const failed = (what: string, error: unknown): void => {
        const body = (error as { body?: string }).body;
        const message = (body ? (JSON.parse(body) as { message?: string }).message : undefined) ?? String(error);
        failures.push(`+${((Date.now() - started) / 1000).toFixed(1)}s ${what}: ${message}`);
      };
      const counts = { pods: 0, injected: 0, sidecarSetUpdates: 0 };
      let running = true;
      const podLoop = async (): Promise<void> => {
        while (running) {
          try {
            const created = await core.createNamespacedPod({ namespace: setup.podNamespace, body: pod(setup) });
            counts.pods++;
            if (injected(created)) counts.injected++;
          } catch (error) {
            failed('Pod creation', error);
          }
        }
      };
      const sidecarSetLoop = async (): Promise<void> => {
        for (let i = 0; running; i++) {
          try {
            await objects.patchClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, name: setup.app, body: { metadata: { annotations: { 'certs-test/tick': String(i) } } } }, MERGE_PATCH);
            counts.sidecarSetUpdates++;
          } catch (error) {
            failed('SidecarSet update', error);
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      const load = [podLoop(), podLoop(), podLoop(), sidecarSetLoop()];
      try {
        await waitFor('serving renewal and a complete CA rotation', async () => {
          await observe();
          return rotated();
        }, { timeoutMs: 120_000, intervalMs: 100 });
        // Load keeps flowing until the apiserver has shaken hands with every certificate the Secret
        // held (replies on connections opened with a replaced certificate say `Connection: close`).
        await waitFor('a TLS handshake with every serving certificate', async () => {
          const counted = await handshakesBySerial(replicas);
          return history.every((h) => (counted.get(h.serving) ?? 0) > 0);
        }, { timeoutMs: 30_000, intervalMs: 100 });
      } finally {
        running = false;
        await Promise.all(load);
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const servingCerts = new Set(history.map((h) => h.serving)).size;
      const cas = new Set(history.map((h) => h.ca)).size;
      process.stderr.write(
        `[certs] rotation under load: ${counts.pods} Pod creations (${counts.injected} injected) and ${counts.sidecarSetUpdates} SidecarSet updates ` +
          `in ${seconds} s through ${service.connections.join('+')} connections to 2 replicas; ${servingCerts} serving certificates, ${cas} CAs; ` +
          `${failures.length} failures\n`,
      );
      process.stderr.write(`[certs] secret history: ${history.map((h) => `+${((h.at - started) / 1000).toFixed(1)}s ca=${h.ca.slice(0, 6)} tls=${h.serving.slice(0, 6)} trusted=${h.trusted}`).join(' | ')}\n`);
      const handshakes = await handshakesBySerial(replicas);
      process.stderr.write(`[certs] TLS handshakes by serving serial: ${[...handshakes].map(([serial, n]) => `${serial.slice(0, 6)}=${n}`).join(' ')}\n`);
      assert.deepEqual(failures, []);
      for (const serial of new Set(history.map((h) => h.serving))) assert.ok((handshakes.get(serial) ?? 0) > 0, `the apiserver verified serving certificate ${serial}`);
      assert.equal(counts.injected, counts.pods, 'every Pod went through the webhook');
      assert.ok(counts.pods > 0 && counts.sidecarSetUpdates > 0);
      assert.ok(cas >= 2 && servingCerts >= 3);
      assert.ok(service.connections.every((n) => n > 0), 'both replicas answered');
    } finally {
      await service.close();
      for (const replica of replicas) await stopReplica(replica);
    }
  });
});
