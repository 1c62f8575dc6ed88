// Unit tests for the control-plane harness' pure parts (no binaries needed).

import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { BINARIES, K8S_VERSION, REQUIRE_ENV, REQUIRE_ENV_ALIAS, binariesOrSkip, cacheDir, locateBinaries, newCA, newLeaf, rewriteWebhookConfiguration, skippedBanner } from './harness.ts';

describe('rewriteWebhookConfiguration', () => {
  const original = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'sidecarset', labels: { a: 'b' } },
    webhooks: [
      {
        name: 'pods.sidecarset.kruise.io',
        clientConfig: { service: { name: 'svc', namespace: 'ns', path: '/mutate-pod', port: 443 }, caBundle: 'T0xE' },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        failurePolicy: 'Fail',
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
      },
      { name: 'no-path.sidecarset.kruise.io', clientConfig: { service: { name: 'svc', namespace: 'ns' } } },
      { name: 'relative.sidecarset.kruise.io', clientConfig: { service: { name: 'svc', namespace: 'ns', path: 'validate' } } },
    ],
  };

  it('points every webhook at https://127.0.0.1:<port><path> with the CA, and changes nothing else', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const out = rewriteWebhookConfiguration(original, { port: 9443, caBundle: pem });
    const caB64 = Buffer.from(pem).toString('base64');
    assert.deepEqual(out.webhooks[0].clientConfig, { url: 'https://127.0.0.1:9443/mutate-pod', caBundle: caB64 });
    assert.deepEqual(out.webhooks[1].clientConfig, { url: 'https://127.0.0.1:9443/', caBundle: caB64 });
    assert.equal(out.webhooks[2].clientConfig.url, 'https://127.0.0.1:9443/validate');
    const strip = (o: any) => ({ ...o, webhooks: o.webhooks.map((w: any) => ({ ...w, clientConfig: undefined })) });
    assert.deepEqual(strip(out), strip(original));
    assert.equal(original.webhooks[0].clientConfig.service.path, '/mutate-pod', 'input untouched');
  });

  it('accepts an already base64-encoded bundle, and renames on request', () => {
    const out = rewriteWebhookConfiguration(original, { port: 1, caBundle: 'QUJD', host: 'localhost', rename: (n) => `${n}-x` });
    assert.equal(out.webhooks[0].clientConfig.caBundle, 'QUJD');
    assert.equal(out.webhooks[0].clientConfig.url, 'https://localhost:1/mutate-pod');
    assert.equal(out.metadata?.name, 'sidecarset-x');
  });
});

describe('locateBinaries', () => {
  const saved = { ...process.env };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-unit-'));
  after(() => {
    for (const k of [...BINARIES.map((b) => b.envVar), 'KUBEBUILDER_ASSETS', 'XDG_CACHE_HOME', REQUIRE_ENV, REQUIRE_ENV_ALIAS]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const fakeBin = (dir: string, name: string): string => {
    fs.mkdirSync(dir, { recursive: true });
    const p = path.join(dir, name);
    fs.writeFileSync(p, '#!/bin/sh\n', { mode: 0o755 });
    return p;
  };

  it('prefers TEST_ASSET_*, then KUBEBUILDER_ASSETS, then the per-version cache', () => {
    for (const b of BINARIES) delete process.env[b.envVar];
    delete process.env.KUBEBUILDER_ASSETS;
    process.env.XDG_CACHE_HOME = path.join(tmp, 'xdg');
    assert.equal(cacheDir(), path.join(tmp, 'xdg', 'sidecarset', 'k8s', K8S_VERSION));
    assert.deepEqual(locateBinaries().missing, ['kube-apiserver', 'etcd', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok']);

    fakeBin(cacheDir(), 'kube-apiserver');
    fakeBin(cacheDir(), 'etcd');
    const old = locateBinaries();
    assert.equal(old.binaries, undefined, 'a cache from before the cluster had nodes is incomplete');
    assert.deepEqual(old.missing, ['kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok']);
    for (const b of BINARIES) fakeBin(cacheDir(), b.name);
    assert.equal(locateBinaries().binaries?.etcd.source, 'cache');

    process.env.KUBEBUILDER_ASSETS = path.join(tmp, 'assets');
    fakeBin(process.env.KUBEBUILDER_ASSETS, 'etcd');
    const mixed = locateBinaries().binaries!;
    assert.equal(mixed.etcd.source, 'KUBEBUILDER_ASSETS');
    assert.equal(mixed.kubeApiserver.source, 'cache', 'each binary falls through on its own');

    process.env.TEST_ASSET_ETCD = fakeBin(path.join(tmp, 'explicit'), 'my-etcd');
    assert.equal(locateBinaries().binaries?.etcd.path, process.env.TEST_ASSET_ETCD);

    process.env.TEST_ASSET_ETCD = path.join(tmp, 'does-not-exist');
    assert.deepEqual(locateBinaries().missing, ['etcd'], 'a wrong explicit path is an error, not a silent fallback');
    delete process.env.TEST_ASSET_ETCD;
  });

  it('binariesOrSkip: true when found; when missing, throws if the run requires them, else skips', () => {
    delete process.env[REQUIRE_ENV];
    delete process.env[REQUIRE_ENV_ALIAS];
    for (const b of BINARIES) process.env[b.envVar] = fakeBin(path.join(tmp, 'explicit'), `my-${b.name}`);
    assert.equal(binariesOrSkip(), true);

    process.env.TEST_ASSET_ETCD = path.join(tmp, 'does-not-exist');
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => (written.push(chunk), true)) as typeof process.stderr.write;
    try {
      assert.equal(binariesOrSkip(), false);
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(written, [], 'says nothing: a passing unit run must not print a skip banner');
    for (const requirement of [REQUIRE_ENV, REQUIRE_ENV_ALIAS]) {
      process.env[requirement] = '1';
      assert.throws(() => binariesOrSkip(), /integration tier required/);
      delete process.env[requirement];
    }
  });
});

describe('skippedBanner', () => {
  it('counts the skipped suites and says how to get the binaries', () => {
    assert.match(skippedBanner(8), /^\n\*\*\* integration tier: 8 suites skipped: no control-plane binaries; run `npm run control-plane:build`/);
    assert.match(skippedBanner(1), /: 1 suite skipped: /);
  });
});

describe('throwaway certificates', () => {
  it('admin client cert: CN=admin, O=system:masters, clientAuth, signed by the client CA', () => {
    const ca = newCA('client-ca');
    const admin = newLeaf(ca, { commonName: 'admin', organizations: ['system:masters'], usage: 'client' });
    const x = new X509Certificate(admin.certPem);
    assert.match(x.subject, /CN=admin/);
    assert.match(x.subject, /O=system:masters/);
    assert.deepEqual(x.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.ok(x.checkIssued(new X509Certificate(ca.certPem)));
    assert.ok(x.verify(new X509Certificate(ca.certPem).publicKey));
    assert.ok(new X509Certificate(ca.certPem).ca);
  });

  it('serving cert carries IP SAN 127.0.0.1 and serverAuth; key generation takes the fast path', () => {
    const t0 = performance.now();
    const ca = newCA('serving-ca');
    const leaf = newLeaf(ca, { commonName: 'x', usage: 'server' });
    const ms = performance.now() - t0;
    const x = new X509Certificate(leaf.certPem);
    assert.match(x.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.deepEqual(x.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.ok(x.checkPrivateKey(createPrivateKey(leaf.keyPem)));
    // Pure-JS forge RSA-2048 takes seconds per key; native is well under one.
    assert.ok(ms < 5000, `two RSA keys + certs took ${Math.round(ms)} ms`);
  });
});
