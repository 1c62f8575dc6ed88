// When certificates are renewed and how a CA rotation keeps every client trusting every replica.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { trustedCas, type CertificateSet } from '../../certs/certificate-set.ts';
import { servingIdentity } from '../../certs/identity.ts';
import { inspectSecret, type Inspection, type Span } from '../../certs/inspect.ts';
import type { Lifetimes } from '../../certs/lifetimes.ts';
import { planStep, renewalTime, type Step } from '../../certs/rotation-plan.ts';
import { applyStep } from '../../certs/rotation-step.ts';
import { renderSecret } from '../../certs/secret-layout.ts';

const pem = (name: string) => ({ cert: `${name}.crt`, key: `${name}.key` });
const span = (notBefore: number, notAfter: number): Span => ({ notBefore, notAfter });
const OVERLAP = 10;

/** An inspection of a sound set: CA valid 0..300, serving valid 0..90 unless told otherwise. */
function sound(set: Partial<CertificateSet> = {}, spans: { ca?: Span; serving?: Span } = {}): Extract<Inspection, { usable: true }> {
  return {
    usable: true,
    set: { ca: pem('ca'), serving: pem('serving'), ...set },
    caSpan: spans.ca ?? span(0, 300),
    serving: { span: spans.serving ?? span(0, 90) },
    repairs: [],
  };
}
const plan = (inspection: Inspection, now: number, bundlePublishedAt?: number): Step['kind'] | number => {
  const step = planStep(inspection, { now, overlapMs: OVERLAP, bundlePublishedAt });
  return step.kind === 'none' ? step.wakeAt : step.kind;
};

describe('planStep timing', () => {
  it('renews two thirds into the validity', () => {
    assert.equal(renewalTime(span(30, 120)), 90);
  });

  it('sleeps until the serving renewal, then reissues the serving certificate', () => {
    assert.equal(plan(sound(), 10), 60);
    assert.equal(plan(sound(), 60), 'reissue-serving');
  });

  it('starts a CA rotation two thirds into the CA validity', () => {
    const inspection = sound({}, { serving: span(180, 270) });
    assert.equal(plan(inspection, 190), 200);
    assert.equal(plan(inspection, 200), 'introduce-ca');
  });

  it('switches to the new CA only once the bundle has been published for the whole overlap', () => {
    const introducing = sound({ next: pem('next'), stepAt: 100 });
    assert.equal(plan(introducing, 105, 100), 'reissue-serving', 'a due serving renewal goes ahead mid-rotation');
    const later = sound({ next: pem('next'), stepAt: 100 }, { serving: span(100, 190) });
    assert.equal(plan(later, 105), 160, 'not published: no switch time, wake for the serving renewal (and poll)');
    assert.equal(plan(later, 200), 'reissue-serving');
    assert.equal(plan(later, 105, 104), 114, 'published at 104: switch at 104 + overlap');
    assert.equal(plan(later, 114, 104), 'switch-ca');
    assert.equal(plan(later, 111, 100), 'switch-ca', 'the step time counts too');
    assert.equal(plan(later, 109, 95), 110, 'published before the step: wait from the step');
  });

  it('retires the old CA one overlap after the switch', () => {
    const retiring = sound({ previous: 'old.crt', stepAt: 100 }, { serving: span(100, 190) });
    assert.equal(plan(retiring, 105), 110);
    assert.equal(plan(retiring, 110), 'retire-ca');
  });

  it('puts repairs before timing: a new CA for an unusable Secret, then the serving certificate, then the rotation state', () => {
    assert.equal(plan({ usable: false, reason: 'x', expected: true }, 0), 'issue-all');
    assert.equal(plan({ ...sound(), serving: { problem: 'wrong SANs' } }, 0), 'reissue-serving');
    assert.equal(plan({ ...sound({ next: pem('next') }), repairs: ['no step time'] }, 0), 'repair-rotation');
  });
});

// A whole life, with real certificates and a clock in seconds: every step is checked against
// clients that lag one step behind (an apiserver with the previous bundle, a replica still
// serving the previous certificate).
describe('CA rotation, end to end on a simulated clock', () => {
  const SECOND = 1000;
  const lifetimes: Lifetimes = { caMs: 60 * SECOND, servingMs: 15 * SECOND, backdateMs: 0, overlapMs: 3 * SECOND };
  const identity = servingIdentity({ serviceName: 'hook', namespace: 'ops' });

  function trusts(bundle: string[], servingPem: string, at: number): boolean {
    const leaf = new X509Certificate(servingPem);
    return bundle.some((caPem) => {
      const ca = new X509Certificate(caPem);
      return leaf.checkIssued(ca) && leaf.verify(ca.publicKey) && ca.validFromDate.getTime() <= at && at < ca.validToDate.getTime();
    });
  }

  it('never leaves a stale client or a stale replica without trust', () => {
    let now = Date.UTC(2030, 0, 1);
    const start = now;
    let set = applyStep({ kind: 'issue-all', reason: 'test', expected: true }, { identity, lifetimes, now });
    let published = { bundle: trustedCas(set).join(), since: now };
    const seen: string[] = [];
    const caSerials = new Set<string>();
    while (now < start + 150 * SECOND) {
      const inspection = inspectSecret(renderSecret(set, 'certs', 'ops'), identity, now);
      assert.ok(inspection.usable, `usable at +${(now - start) / 1000}s`);
      const bundle = trustedCas(inspection.set).join();
      if (published.bundle !== bundle) published = { bundle, since: now }; // publishing takes no time here
      const step = planStep(inspection, { now, overlapMs: lifetimes.overlapMs, bundlePublishedAt: published.since });
      if (step.kind === 'none') {
        now += SECOND;
        continue;
      }
      assert.notEqual(step.kind, 'issue-all');
      const after = applyStep(step, { identity, lifetimes, now });
      seen.push(step.kind);
      assert.ok(trusts(trustedCas(after), set.serving.cert, now), `${step.kind}: the new bundle still trusts the replica not yet reloaded`);
      assert.ok(trusts(trustedCas(set), after.serving.cert, now), `${step.kind}: the previous bundle already trusts the new certificate`);
      assert.ok(trusts(trustedCas(after), after.serving.cert, now), `${step.kind}: consistent`);
      caSerials.add(new X509Certificate(after.ca.cert).serialNumber);
      set = after;
    }
    const rotation = seen.filter((kind) => kind.endsWith('-ca'));
    assert.deepEqual(rotation.slice(0, 6), ['introduce-ca', 'switch-ca', 'retire-ca', 'introduce-ca', 'switch-ca', 'retire-ca']);
    assert.ok(seen.filter((kind) => kind === 'reissue-serving').length >= 6, `serving renewals: ${seen.join(', ')}`);
    assert.ok(caSerials.size >= 3);
  });
});

// Replicas started with different --cert-extra-dns / --cert-extra-ip share one Secret: each one's
// decision, applied in turn, must settle instead of re-issuing for the other's wishes forever.
describe('replicas with different SAN wishes', () => {
  const lifetimes: Lifetimes = { caMs: 3_600_000, servingMs: 600_000, backdateMs: 0, overlapMs: 1_000 };
  const base = { serviceName: 'hook', namespace: 'ops' };
  const replicas = [
    servingIdentity({ ...base, extraDnsNames: ['a.example.com'], extraIps: ['127.0.0.1'] }),
    servingIdentity({ ...base, extraDnsNames: ['b.example.com'], extraIps: ['::1'] }),
    servingIdentity(base),
  ];

  it('converge on one certificate covering every replica\'s names, within one re-issue each', () => {
    const now = Date.UTC(2030, 0, 1);
    let set = applyStep({ kind: 'issue-all', reason: 'test', expected: true }, { identity: replicas[0], lifetimes, now });
    const steps: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (const identity of replicas) {
        const inspection = inspectSecret(renderSecret(set, 'certs', 'ops'), identity, now);
        const step = planStep(inspection, { now, overlapMs: lifetimes.overlapMs });
        if (step.kind === 'none') continue;
        steps.push(step.kind);
        set = applyStep(step, { identity, lifetimes, now });
      }
    }
    assert.deepEqual(steps, ['reissue-serving'], 'only the replica missing names re-issues, once');
    const served = new X509Certificate(set.serving.cert);
    assert.equal(served.subjectAltName, 'DNS:hook, DNS:hook.ops, DNS:hook.ops.svc, DNS:hook.ops.svc.cluster.local, DNS:b.example.com, DNS:a.example.com, IP Address:0:0:0:0:0:0:0:1, IP Address:127.0.0.1');
  });

  it('keeps the other replicas\' names through a renewal and a CA switch', () => {
    let now = Date.UTC(2030, 0, 1);
    const union = servingIdentity({ ...base, extraDnsNames: ['a.example.com', 'b.example.com'], extraIps: ['127.0.0.1', '::1'] });
    let set = applyStep({ kind: 'issue-all', reason: 'test', expected: true }, { identity: union, lifetimes, now });
    now += lifetimes.servingMs; // renewal due
    set = applyStep({ kind: 'reissue-serving', set, reason: 'renewal is due' }, { identity: replicas[2], lifetimes, now });
    set = applyStep({ kind: 'introduce-ca', set }, { identity: replicas[2], lifetimes, now });
    set = applyStep({ kind: 'switch-ca', set: { ...set, next: set.next! } }, { identity: replicas[2], lifetimes, now });
    for (const identity of replicas) {
      const inspection = inspectSecret(renderSecret(set, 'certs', 'ops'), identity, now);
      assert.ok(inspection.usable && 'span' in inspection.serving, `sound for ${identity.dnsNames.join(',')} ${identity.ips.join(',')}`);
    }
  });
});
