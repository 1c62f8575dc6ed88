// Judging a stored Secret: missing, foreign, corrupt, broken serving certificate, broken rotation
// leftovers; and the Secret layout round trip.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Secret } from '../../src/api/core.ts';
import { issueCa, issueServing, type KeyedCertificate } from '../../certs/authority.ts';
import type { CertificateSet } from '../../certs/certificate-set.ts';
import { servingIdentity } from '../../certs/identity.ts';
import { inspectSecret, type Inspection } from '../../certs/inspect.ts';
import { renderSecret, SECRET_KEYS, STEP_AT_ANNOTATION } from '../../certs/secret-layout.ts';

const HOUR = 3_600_000;
const now = Date.now();
const identity = servingIdentity({ serviceName: 'hook', namespace: 'ops', extraIps: ['127.0.0.1'] });
const validity = (lifetimeMs = 10 * HOUR, at = now) => ({ now: at, lifetimeMs, backdateMs: HOUR });
const ca = issueCa(validity(100 * HOUR));
const otherCa = issueCa(validity(100 * HOUR));
const serving = issueServing(ca, identity, validity());
const good: CertificateSet = { ca, serving };

const secretOf = (set: CertificateSet, existing?: Secret): Secret => renderSecret(set, 'certs', 'ops', existing);
const b64 = (text: string): string => Buffer.from(text).toString('base64');
function withData(secret: Secret, changes: Record<string, string | undefined>): Secret {
  const data = { ...secret.data };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete data[key];
    else data[key] = b64(value);
  }
  return { ...secret, data };
}

function usable(inspection: Inspection): Extract<Inspection, { usable: true }> {
  assert.ok(inspection.usable, `expected usable, got: ${inspection.usable ? '' : inspection.reason}`);
  return inspection;
}
function servingProblem(inspection: Inspection): string {
  const { serving } = usable(inspection);
  assert.ok('problem' in serving, 'expected a serving problem');
  return serving.problem;
}
function unusable(inspection: Inspection): { reason: string; expected: boolean } {
  assert.equal(inspection.usable, false);
  return inspection as { reason: string; expected: boolean };
}

describe('inspectSecret', () => {
  it('accepts a sound Secret and reports the validity spans', () => {
    const result = usable(inspectSecret(secretOf(good), identity, now));
    assert.deepEqual(result.set, good);
    assert.deepEqual(result.repairs, []);
    assert.ok('span' in result.serving);
    assert.equal(result.serving.span.notAfter, Math.floor((now + 10 * HOUR) / 1000) * 1000);
    assert.equal(result.caSpan.notBefore, Math.floor((now - HOUR) / 1000) * 1000);
  });

  it('treats a missing or empty Secret as expected, not as damage', () => {
    assert.deepEqual(unusable(inspectSecret(undefined, identity, now)), { usable: false, reason: 'Secret does not exist', expected: true });
    assert.equal(unusable(inspectSecret({ metadata: { name: 'certs' } }, identity, now)).expected, true);
  });

  it('refuses a foreign Secret (keys that are not ours)', () => {
    const foreign = withData(secretOf(good), { 'ca-cert.pem': ca.cert, password: 'x' });
    const { reason, expected } = unusable(inspectSecret(foreign, identity, now));
    assert.equal(reason, 'foreign Secret: unexpected keys ca-cert.pem, password');
    assert.equal(expected, false);
  });

  it('refuses a Secret whose CA is missing, unparsable, not a CA, mismatched or expired', () => {
    const cases: [Record<string, string | undefined>, RegExp][] = [
      [{ [SECRET_KEYS.caKey]: undefined }, /CA key is missing/],
      [{ [SECRET_KEYS.caCert]: 'garbage' }, /CA certificate is not a PEM certificate/],
      [{ [SECRET_KEYS.caCert]: serving.cert }, /CA certificate is not a CA/],
      [{ [SECRET_KEYS.caKey]: otherCa.key }, /CA key does not match/],
      [{ [SECRET_KEYS.caKey]: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }, /CA key is not a PEM private key/],
    ];
    for (const [changes, reason] of cases) {
      assert.match(unusable(inspectSecret(withData(secretOf(good), changes), identity, now)).reason, reason);
    }
    assert.match(unusable(inspectSecret(secretOf(good), identity, now + 200 * HOUR)).reason, /CA certificate expired at/);
  });

  it('flags a serving certificate with a wrong key, a foreign chain, wrong names or an expiry', () => {
    const other = issueServing(ca, identity, validity());
    assert.match(servingProblem(inspectSecret(withData(secretOf(good), { [SECRET_KEYS.key]: other.key }), identity, now)), /serving key does not match/);
    const foreignChain = issueServing(otherCa, identity, validity());
    assert.match(servingProblem(inspectSecret(secretOf({ ca, serving: foreignChain }), identity, now)), /not signed by the CA/);
    const moreNames = servingIdentity({ serviceName: 'hook', namespace: 'ops', extraIps: ['127.0.0.1', '10.0.0.9'] });
    assert.match(servingProblem(inspectSecret(secretOf(good), moreNames, now)), /lacks DNS \[\] and IPs \[10\.0\.0\.9\]/);
    const otherService = servingIdentity({ serviceName: 'hook2', namespace: 'ops', extraIps: ['127.0.0.1'] });
    assert.match(servingProblem(inspectSecret(secretOf(good), otherService, now)), /lacks DNS \[hook2, hook2\.ops, hook2\.ops\.svc, hook2\.ops\.svc\.cluster\.local\] and IPs \[\]/);
    const fewerNames = servingIdentity({ serviceName: 'hook', namespace: 'ops' });
    assert.ok('span' in usable(inspectSecret(secretOf(good), fewerNames, now)).serving, 'names beyond what this replica needs are fine: another replica asked for them');
    assert.match(servingProblem(inspectSecret(secretOf(good), identity, now + 11 * HOUR)), /serving certificate expired/);
    assert.match(servingProblem(inspectSecret(withData(secretOf(good), { [SECRET_KEYS.cert]: undefined }), identity, now)), /serving certificate is missing/);
    assert.match(servingProblem(inspectSecret(secretOf({ ca, serving: ca }), identity, now)), /serving certificate is a CA/);
  });

  it('keeps a sound rotation and drops broken leftovers, asking for a rewrite', () => {
    const next = issueCa(validity(100 * HOUR));
    const introducing = usable(inspectSecret(secretOf({ ...good, next, stepAt: now }), identity, now));
    assert.deepEqual(introducing.set.next, next);
    assert.equal(introducing.set.stepAt, now);
    assert.deepEqual(introducing.repairs, []);

    const brokenNext = usable(inspectSecret(withData(secretOf({ ...good, next, stepAt: now }), { [SECRET_KEYS.nextCaKey]: otherCa.key }), identity, now));
    assert.equal(brokenNext.set.next, undefined);
    assert.match(brokenNext.repairs.join(), /dropping the next CA: next CA key does not match/);

    const brokenPrevious = usable(inspectSecret(secretOf({ ...good, previous: 'junk', stepAt: now }), identity, now));
    assert.equal(brokenPrevious.set.previous, undefined);
    assert.match(brokenPrevious.repairs.join(), /dropping the previous CA/);

    const unstamped = secretOf({ ...good, next, stepAt: now });
    delete unstamped.metadata!.annotations![STEP_AT_ANNOTATION];
    assert.deepEqual(usable(inspectSecret(unstamped, identity, now)).repairs, ['the CA rotation has no valid step time']);
  });

  it('keeps an expired previous CA until it is retired', () => {
    const oldCa = issueCa(validity(HOUR, now - 10 * HOUR));
    const retiring = usable(inspectSecret(secretOf({ ...good, previous: oldCa.cert, stepAt: now }), identity, now));
    assert.equal(retiring.set.previous, oldCa.cert);
    assert.deepEqual(retiring.repairs, []);
  });
});

describe('renderSecret', () => {
  it('keeps what others put on the Secret, its version and an Opaque type, and drops a stale step time', () => {
    const existing: Secret = {
      type: 'Opaque',
      metadata: { name: 'certs', namespace: 'ops', resourceVersion: '42', uid: 'u1', labels: { team: 'a' }, annotations: { note: 'kept', [STEP_AT_ANNOTATION]: 'old' } },
    };
    const rendered = renderSecret(good, 'certs', 'ops', existing);
    assert.equal(rendered.type, 'Opaque');
    assert.equal(rendered.metadata?.resourceVersion, '42');
    assert.equal(rendered.metadata?.uid, 'u1');
    assert.deepEqual(rendered.metadata?.labels, { team: 'a', 'app.kubernetes.io/managed-by': 'sidecarset' });
    assert.deepEqual(rendered.metadata?.annotations, { note: 'kept' });
    assert.deepEqual(Object.keys(rendered.data ?? {}).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
  });

  it('writes a new Secret as kubernetes.io/tls with the rotation keys when rotating', () => {
    const next: KeyedCertificate = issueCa(validity(100 * HOUR));
    const rendered = renderSecret({ ...good, next, stepAt: Date.UTC(2030, 0, 1) }, 'certs', 'ops');
    assert.equal(rendered.type, 'kubernetes.io/tls');
    assert.equal(rendered.metadata?.annotations?.[STEP_AT_ANNOTATION], '2030-01-01T00:00:00.000Z');
    assert.deepEqual(Object.keys(rendered.data ?? {}).sort(), ['ca.crt', 'ca.key', 'next-ca.crt', 'next-ca.key', 'tls.crt', 'tls.key']);
  });
});
