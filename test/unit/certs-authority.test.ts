// The self-managed CA and serving certificates: names, usages, serials, chains, lifetimes.
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { describe, it } from 'node:test';
import forge from 'node-forge';
import { issueCa, issueServing, randomSerialHex, type KeyedCertificate } from '../../certs/authority.ts';
import { issueClient } from '../support/client-certificate.ts';
import { servingIdentity } from '../../certs/identity.ts';

const HOUR = 3_600_000;
const identity = servingIdentity({ serviceName: 'sidecarset-webhook', namespace: 'ops', extraDnsNames: ['webhook.example.com'], extraIps: ['127.0.0.1', '::1'] });
const now = Date.now();
const ca = issueCa({ now, lifetimeMs: 1000 * HOUR, backdateMs: HOUR });
const serving = issueServing(ca, identity, { now, lifetimeMs: 100 * HOUR, backdateMs: HOUR });

function extension(pem: string, name: string): Record<string, unknown> {
  const found = forge.pki.certificateFromPem(pem).getExtension(name) as Record<string, unknown> | null;
  assert.ok(found, `extension ${name} present`);
  return found;
}

/** The key usage bits that matter, and whether the extension is critical. */
function keyUsage(pem: string): Record<string, unknown> {
  const { critical, digitalSignature, keyEncipherment, keyCertSign, cRLSign } = extension(pem, 'keyUsage');
  return { critical, digitalSignature, keyEncipherment, keyCertSign, cRLSign };
}

/** Completes a TLS handshake against a server presenting `presented`, trusting `caBundle`. */
async function handshake(presented: KeyedCertificate, caBundle: string, servername?: string): Promise<void> {
  const server = tls.createServer({ cert: presented.cert, key: presented.key }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: caBundle, servername }, () => {
        socket.end();
        resolve();
      });
      socket.on('error', reject);
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('CA certificate', () => {
  const x509 = new X509Certificate(ca.cert);

  it('is a self-signed RSA-2048 CA signed with SHA-256', () => {
    assert.equal(x509.ca, true);
    assert.ok(x509.checkIssued(x509) && x509.verify(x509.publicKey));
    assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(x509.signatureAlgorithm, 'sha256WithRSAEncryption');
    assert.match(x509.subject, /^CN=sidecarset-webhook-ca-\d+$/);
  });

  it('has names strict parsers accept: PrintableString characters only', () => {
    // Go's x509 refuses a PrintableString holding e.g. '@', and with it the whole caBundle.
    const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
    for (const pem of [ca.cert, serving.cert]) {
      for (const attribute of forge.pki.certificateFromPem(pem).subject.attributes) {
        assert.match(String(attribute.value), printable);
      }
    }
  });

  it('has critical basicConstraints CA:true with pathLen 0, and critical keyCertSign + cRLSign only', () => {
    const constraints = extension(ca.cert, 'basicConstraints');
    assert.equal(constraints.cA, true);
    assert.equal(constraints.pathLenConstraint, 0);
    assert.equal(constraints.critical, true);
    assert.deepEqual(keyUsage(ca.cert), { critical: true, digitalSignature: false, keyEncipherment: false, keyCertSign: true, cRLSign: true });
  });

  it('is backdated and lives for the given lifetime', () => {
    assert.equal(x509.validFromDate.getTime(), Math.floor((now - HOUR) / 1000) * 1000);
    assert.equal(x509.validToDate.getTime(), Math.floor((now + 1000 * HOUR) / 1000) * 1000);
  });
});

describe('serving certificate', () => {
  const x509 = new X509Certificate(serving.cert);

  it('names the Service in all four forms plus the extra names and IPs', () => {
    assert.equal(
      x509.subjectAltName,
      'DNS:sidecarset-webhook, DNS:sidecarset-webhook.ops, DNS:sidecarset-webhook.ops.svc, ' +
        'DNS:sidecarset-webhook.ops.svc.cluster.local, DNS:webhook.example.com, ' +
        'IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    assert.equal(x509.checkHost('sidecarset-webhook.ops.svc', { subject: 'never' }), 'sidecarset-webhook.ops.svc');
    assert.equal(x509.checkIP('127.0.0.1'), '127.0.0.1');
  });

  it('is a leaf for server authentication only, with a matching key', () => {
    assert.equal(x509.ca, false);
    const constraints = extension(serving.cert, 'basicConstraints');
    assert.equal(constraints.cA, false);
    assert.deepEqual(keyUsage(serving.cert), { critical: true, digitalSignature: true, keyEncipherment: true, keyCertSign: false, cRLSign: false });
    assert.deepEqual(x509.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(x509.signatureAlgorithm, 'sha256WithRSAEncryption');
    assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  });

  it('chains to its CA and names it by key identifier', () => {
    const caX509 = new X509Certificate(ca.cert);
    assert.ok(x509.checkIssued(caX509));
    assert.ok(x509.verify(caX509.publicKey));
    // AuthorityKeyIdentifier ::= SEQUENCE { [0] keyIdentifier }: 4 header bytes, then the CA's key id.
    const authorityKey = extension(serving.cert, 'authorityKeyIdentifier').value as string;
    const caKeyId = forge.pki.certificateFromPem(ca.cert).generateSubjectKeyIdentifier().toHex();
    assert.equal(forge.util.bytesToHex(authorityKey.slice(4)), caKeyId);
    assert.equal(extension(ca.cert, 'subjectKeyIdentifier').subjectKeyIdentifier, caKeyId);
  });

  it('never outlives its CA', () => {
    const shortCa = issueCa({ now, lifetimeMs: 2 * HOUR, backdateMs: 0 });
    const capped = new X509Certificate(issueServing(shortCa, identity, { now, lifetimeMs: 100 * HOUR, backdateMs: 0 }).cert);
    assert.equal(capped.validToDate.getTime(), new X509Certificate(shortCa.cert).validToDate.getTime());
  });

  it('is accepted in a real TLS handshake by DNS name and by IP, and refused for other names', async () => {
    assert.doesNotThrow(() => tls.createSecureContext({ cert: serving.cert, key: serving.key, ca: ca.cert }));
    await handshake(serving, ca.cert, 'sidecarset-webhook.ops.svc');
    await handshake(serving, ca.cert); // no SNI: node checks the IP SAN 127.0.0.1
    await assert.rejects(handshake(serving, ca.cert, 'other.ops.svc'), /does not match|not in the cert's altnames/i);
    const strangerCa = issueCa({ now, lifetimeMs: HOUR, backdateMs: 0 });
    await assert.rejects(handshake(serving, strangerCa.cert, 'sidecarset-webhook.ops.svc'), /unable to verify|self.signed|certificate/i);
  });
});

describe('client certificate', () => {
  const client = issueClient(ca, { commonName: 'admin', organizations: ['system:masters', 'team-a'] }, { now, lifetimeMs: 100 * HOUR, backdateMs: HOUR });
  const x509 = new X509Certificate(client.cert);

  it('names the user in CN and the groups in O, with no SANs', () => {
    assert.equal(x509.subject, 'CN=admin\nO=system:masters\nO=team-a');
    assert.equal(x509.subjectAltName, undefined);
    assert.equal(forge.pki.certificateFromPem(client.cert).getExtension('subjectAltName'), null);
  });

  it('is a leaf for client authentication only, chained to its CA, with a matching key', () => {
    assert.equal(x509.ca, false);
    assert.equal(extension(client.cert, 'basicConstraints').cA, false);
    assert.deepEqual(keyUsage(client.cert), { critical: true, digitalSignature: true, keyEncipherment: true, keyCertSign: false, cRLSign: false });
    assert.deepEqual(x509.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    const caX509 = new X509Certificate(ca.cert);
    assert.ok(x509.checkIssued(caX509) && x509.verify(caX509.publicKey));
    assert.ok(x509.checkPrivateKey(createPrivateKey(client.key)));
    assert.equal(x509.validFromDate.getTime(), Math.floor((now - HOUR) / 1000) * 1000);
    assert.equal(x509.validToDate.getTime(), Math.floor((now + 100 * HOUR) / 1000) * 1000);
  });

  it('takes just a CN', () => {
    assert.equal(new X509Certificate(issueClient(ca, { commonName: 'viewer' }, { now, lifetimeMs: HOUR, backdateMs: 0 }).cert).subject, 'CN=viewer');
  });

  it('authenticates the client in a real mutual-TLS handshake', async () => {
    const server = tls.createServer({ cert: serving.cert, key: serving.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true }, (socket) => {
      socket.end((socket.getPeerCertificate().subject as { CN?: string }).CN ?? '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const peer = await new Promise<string>((resolve, reject) => {
        let received = '';
        const socket = tls.connect({ host: '127.0.0.1', port, ca: ca.cert, cert: client.cert, key: client.key });
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (received += chunk));
        socket.on('end', () => resolve(received));
        socket.on('error', reject);
      });
      assert.equal(peer, 'admin');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('CA name prefix', () => {
  it('replaces the default name, keeps the issue time, and must be PrintableString-safe', () => {
    const named = new X509Certificate(issueCa({ now, lifetimeMs: HOUR, backdateMs: 0 }, 'sidecarset-test-client-ca').cert);
    assert.equal(named.subject, `CN=sidecarset-test-client-ca-${Math.floor(now / 1000)}`);
    assert.throws(() => issueCa({ now, lifetimeMs: HOUR, backdateMs: 0 }, 'bad_name'), /letters, digits and hyphens/);
  });
});

describe('serial numbers', () => {
  it('are 16 bytes, positive, minimally encoded and unique', () => {
    const serials = Array.from({ length: 2000 }, randomSerialHex);
    assert.equal(new Set(serials).size, serials.length);
    for (const serial of serials) {
      assert.equal(serial.length, 32);
      const first = Number.parseInt(serial.slice(0, 2), 16);
      assert.ok(first >= 1 && first <= 0x7f, `first byte ${first} keeps the DER INTEGER positive and minimal`);
    }
  });

  it('differ between certificates and survive the DER round trip', () => {
    const a = new X509Certificate(issueServing(ca, identity, { now, lifetimeMs: HOUR, backdateMs: 0 }).cert);
    const b = new X509Certificate(issueServing(ca, identity, { now, lifetimeMs: HOUR, backdateMs: 0 }).cert);
    assert.notEqual(a.serialNumber, b.serialNumber);
    assert.equal(a.serialNumber.length, 32);
  });
});
