// Serving-certificate hot reload: the cert dir changes the way a mounted Secret changes (a `..data`
// symlink swap), new handshakes get the new certificate, open keep-alive connections go on working,
// an unusable pair is skipped, and the certificate manager can push a pair in memory. A connection
// opened with a replaced certificate closes after its next reply; handshakes are counted per serial.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { newCA, newLeaf, type CertAndKey } from '../control-plane/harness.ts';
import { watchCertificateDirectory, type CertificateDirectory } from '../../webhooks/certificate-directory.ts';
import { startTestWebhookServer, type TestWebhookServer } from '../support/test-webhook-server.ts';
import { webhookClient } from '../support/webhook-client.ts';
import { recordingLogger } from './recording-logger.ts';

/** Writes files the way the kubelet's atomic writer does: a fresh timestamped dir, then `..data` swapped to it. */
function writeAtomically(dir: string, files: Record<string, string>, generation: number): void {
  const target = `..gen_${generation}`;
  mkdirSync(join(dir, target));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, target, name), content);
  symlinkSync(target, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const name of Object.keys(files)) {
    try {
      symlinkSync(join('..data', name), join(dir, name));
    } catch {
      // already linked through ..data by an earlier generation
    }
  }
  if (generation > 1) rmSync(join(dir, `..gen_${generation - 1}`), { recursive: true, force: true });
}

const fingerprint = (pair: CertAndKey): string => new X509Certificate(pair.certPem).fingerprint256;

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('serving certificate reload', () => {
  const ca = newCA('reload-test-ca');
  const first = newLeaf(ca, { commonName: 'first', usage: 'server' });
  const second = newLeaf(ca, { commonName: 'second', usage: 'server' });
  const third = newLeaf(ca, { commonName: 'third', usage: 'server' });
  let dir: string;
  let t: TestWebhookServer;
  let watcher: CertificateDirectory;
  const log = recordingLogger();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sidecarset-certs-'));
    writeAtomically(dir, { 'tls.crt': first.certPem, 'tls.key': first.keyPem }, 1);
    t = await startTestWebhookServer({ server: { certificate: undefined } });
    // A poll far in the future: a reload within the test's time can only come from fs.watch.
    watcher = await watchCertificateDirectory({ dir, apply: t.server.setCertificate, info: () => t.server.certificate.info(), log, pollIntervalMs: 60_000, debounceMs: 20 });
  });
  after(async () => {
    watcher.stop();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the pair in the cert dir at start', async () => {
    const client = webhookClient(t.port, ca.certPem);
    assert.equal((await client.get('/healthz')).fingerprint256, fingerprint(first));
    client.close();
    assert.ok(t.server.certificate.loaded());
    assert.ok(log.lines.some((line) => line.msg === 'serving certificate loaded'));
  });

  it('switches new handshakes to the new pair after a ..data swap, while an open connection keeps working', async () => {
    const kept = webhookClient(t.port, ca.certPem, { maxSockets: 1 });
    const before = await kept.get('/healthz');
    assert.equal(before.fingerprint256, fingerprint(first));

    writeAtomically(dir, { 'tls.crt': second.certPem, 'tls.key': second.keyPem }, 2);
    await eventually('the second certificate on a new connection', async () => {
      const fresh = webhookClient(t.port, ca.certPem);
      const reply = await fresh.get('/healthz');
      fresh.close();
      return reply.fingerprint256 === fingerprint(second);
    });

    assert.equal(before.headers.connection, 'keep-alive');
    const again = await kept.get('/healthz');
    assert.equal(again.status, 200);
    assert.equal(again.localPort, before.localPort, 'same connection');
    assert.equal(again.fingerprint256, fingerprint(first), 'still the context it negotiated');
    assert.equal(again.headers.connection, 'close', 'a connection on a replaced certificate closes after its reply');
    const reconnected = await kept.get('/healthz');
    assert.equal(reconnected.fingerprint256, fingerprint(second), 'the client reconnected and was shown the new certificate');
    assert.equal(reconnected.headers.connection, 'keep-alive');
    kept.close();
  });

  it('counts TLS handshakes by the serial of the certificate presented', async () => {
    const metric = await t.registry.getSingleMetricAsString('sidecarset_webhook_tls_handshakes_total');
    for (const pair of [first, second]) {
      const serial = new X509Certificate(pair.certPem).serialNumber;
      assert.match(metric, new RegExp(`serial="${serial}"\\} [1-9]`), `handshakes with ${serial}`);
    }
  });

  it('keeps the current pair when the new one does not match, and says so', async () => {
    writeAtomically(dir, { 'tls.crt': third.certPem, 'tls.key': first.keyPem }, 3);
    await eventually('a warning', async () => log.lines.some((line) => line.level === 'warn' && /unusable/.test(String(line.msg))));
    const client = webhookClient(t.port, ca.certPem);
    assert.equal((await client.get('/healthz')).fingerprint256, fingerprint(second));
    client.close();
  });

  it('takes a pair pushed in memory by the certificate manager', async () => {
    assert.equal(t.server.setCertificate({ cert: third.certPem, key: third.keyPem }), true);
    assert.equal(t.server.setCertificate({ cert: third.certPem, key: third.keyPem }), false, 'same pair: no change');
    const client = webhookClient(t.port, ca.certPem);
    assert.equal((await client.get('/healthz')).fingerprint256, fingerprint(third));
    client.close();
    assert.throws(() => t.server.setCertificate({ cert: first.certPem, key: second.keyPem }));
    assert.equal(t.server.certificate.info()?.fingerprint256, fingerprint(third));
  });

  it('still serves TLS >= 1.2 only after a reload', async () => {
    const { connect } = await import('node:tls');
    await assert.rejects(
      new Promise((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: t.port, ca: ca.certPem, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, () => resolve(socket.end()));
        socket.on('error', reject);
      }),
    );
  });
});

describe('cert dir that does not exist yet', () => {
  it('is polled until a pair appears, and the server is not ready before', async () => {
    const ca = newCA('late-ca');
    const leaf = newLeaf(ca, { commonName: 'late', usage: 'server' });
    const parent = mkdtempSync(join(tmpdir(), 'sidecarset-late-'));
    const dir = join(parent, 'certs');
    const t = await startTestWebhookServer({ server: { certificate: undefined } });
    t.readiness.add('certificate', () => ({ ok: t.server.certificate.loaded() }));
    const log = recordingLogger();
    const watcher = await watchCertificateDirectory({ dir, apply: t.server.setCertificate, info: () => t.server.certificate.info(), log, pollIntervalMs: 100 });
    try {
      assert.equal(t.readiness.report().ready, false);
      assert.equal(log.lines.filter((line) => line.msg === 'no serving certificate in the cert dir yet').length, 1);
      mkdirSync(dir);
      writeAtomically(dir, { 'tls.crt': leaf.certPem, 'tls.key': leaf.keyPem }, 1);
      await eventually('the certificate', async () => t.server.certificate.loaded());
      assert.equal(t.readiness.report().ready, true);
      const client = webhookClient(t.port, ca.certPem);
      assert.equal((await client.get('/healthz')).status, 200);
      client.close();
      assert.equal(log.lines.filter((line) => line.msg === 'no serving certificate in the cert dir yet').length, 1, 'logged once, not at every poll');
    } finally {
      watcher.stop();
      await t.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
