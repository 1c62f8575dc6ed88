// startOperator() wiring with in-memory caches: both ports, readiness from caches and certificate,
// metrics on one registry, the plug-in points for the certificate manager and the controller.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { newServingCert } from '../control-plane/harness.ts';
import { startOperator, type OperatorContext, type OperatorOptions } from '../../src/operator/operator.ts';
import { memoryClusterCaches } from '../support/memory-caches.ts';
import { webhookClient } from '../support/webhook-client.ts';

const tls = newServingCert();
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function certDir(withPair: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'sidecarset-operator-'));
  dirs.push(dir);
  if (withPair) {
    writeFileSync(join(dir, 'tls.crt'), tls.certPem);
    writeFileSync(join(dir, 'tls.key'), tls.keyPem);
  }
  return dir;
}

const base = (overrides: Partial<OperatorOptions> = {}): OperatorOptions => ({
  kubeConfig: new KubeConfig(),
  caches: memoryClusterCaches(),
  certDir: certDir(true),
  certMode: 'external',
  port: 0,
  metricsPort: 0,
  bindAddress: '127.0.0.1',
  logLevel: 'silent',
  shutdownDrainMs: 0,
  ...overrides,
});

const httpGet = async (port: number, path: string): Promise<{ status: number; body: string }> => {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
};

describe('startOperator', () => {
  it('is ready once the webhook caches are synced, on both ports, and says why not before', async () => {
    const caches = memoryClusterCaches({}, false);
    const operator = await startOperator(base({ caches }));
    const client = webhookClient(operator.ports.webhook, tls.caPem);
    try {
      const notReady = await httpGet(operator.ports.metrics, '/readyz');
      assert.equal(notReady.status, 503);
      const report = JSON.parse(notReady.body);
      assert.equal(report.ready, false);
      assert.equal(report.checks['cache/sidecarSets'].ok, false);
      assert.equal(report.checks['cache/sidecarSets'].restarts, 0, 'the cache state is shown');
      assert.equal(report.checks.certificate.ok, true);
      assert.equal(report.checks.certificate.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1');
      // Every watch shows in /readyz, but the Pod cache is the controller's and does not gate the webhooks.
      assert.deepEqual([report.checks['cache/pods'].ok, report.checks['cache/pods'].synced], [true, false]);

      for (const cache of [caches.sidecarSets, caches.namespaces, caches.revisions, caches.whitelist]) cache.setSynced(true);
      assert.equal((await httpGet(operator.ports.metrics, '/readyz')).status, 200);
      assert.equal((await client.get('/readyz')).status, 200, 'on the TLS port too');
      assert.deepEqual([(await httpGet(operator.ports.metrics, '/healthz')).body, (await client.get('/healthz')).text], ['ok', 'ok']);
    } finally {
      client.close();
      await operator.stop();
    }
  });

  it('exposes its metrics, the process metrics and whatever else is on the registry', async () => {
    const registry = new Registry();
    const operator = await startOperator(base({ registry }));
    try {
      const metrics = await httpGet(operator.ports.metrics, '/metrics');
      assert.equal(metrics.status, 200);
      for (const name of ['sidecarset_ready 1', 'sidecarset_webhook_certificate_expiry_timestamp_seconds', 'process_cpu_user_seconds_total', 'sidecarset_webhook_admission_duration_seconds']) {
        assert.ok(metrics.body.includes(name), name);
      }
      assert.equal(operator.registry, registry);
    } finally {
      await operator.stop();
    }
  });

  it('is not ready without a certificate, until the certificate manager pushes one', async () => {
    let context: OperatorContext | undefined;
    const events: string[] = [];
    const operator = await startOperator(
      base({
        certDir: certDir(false),
        certificates: (ctx) => {
          context = ctx;
          events.push('certificates started');
          return { stop: async () => void events.push('certificates stopped') };
        },
        controller: (ctx) => {
          events.push(`controller started (workers ${ctx.settings.workers}, leaderElect ${ctx.settings.leaderElect})`);
          return { stop: async () => void events.push('controller stopped') };
        },
      }),
    );
    try {
      assert.equal((await httpGet(operator.ports.metrics, '/readyz')).status, 503);
      assert.ok(context);
      assert.equal(context.settings.namespace, 'sidecarset-system');
      assert.ok(context.caches.sidecarSets);
      assert.equal(context.setCertificate({ cert: tls.certPem, key: tls.keyPem }), true);
      assert.equal((await httpGet(operator.ports.metrics, '/readyz')).status, 200);
      const client = webhookClient(operator.ports.webhook, tls.caPem);
      assert.equal((await client.get('/healthz')).status, 200);
      client.close();
    } finally {
      await operator.stop();
      await operator.stop(); // a second call waits for the same stop
    }
    assert.deepEqual(events, ['certificates started', 'controller started (workers 3, leaderElect true)', 'controller stopped', 'certificates stopped']);
  });

  it('fails to start on a port already taken, leaving nothing behind', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(startOperator(base({ metricsPort: taken })), /EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });
});
