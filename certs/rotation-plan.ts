// Decides the one next change to the stored certificates, from an inspection and the time. Pure:
// the manager applies the step, writes it, re-reads and asks again until the answer is "none".
//
// Timing rules:
//   - a serving certificate is renewed two thirds into its validity, by the same CA;
//   - a CA is replaced two thirds into its validity, in three steps each `overlapMs` apart:
//     introduce (bundle [old, new]) -> switch (serve a certificate of the new CA; bundle
//     [new, old]) -> retire (bundle [new]). The switch also waits until this replica has seen the
//     bundle in every webhook configuration for `overlapMs`, so apiservers trust the new CA before
//     any replica serves a certificate it signed.
import type { CertificateSet } from './certificate-set.ts';
import type { Inspection, Span } from './inspect.ts';

export type Step =
  | { kind: 'issue-all'; reason: string; expected: boolean }
  | { kind: 'reissue-serving'; set: CertificateSet; reason: string }
  | { kind: 'repair-rotation'; set: CertificateSet; reason: string }
  | { kind: 'introduce-ca'; set: CertificateSet }
  | { kind: 'switch-ca'; set: CertificateSet & { next: NonNullable<CertificateSet['next']> } }
  | { kind: 'retire-ca'; set: CertificateSet }
  | { kind: 'none'; wakeAt: number };

export interface PlanContext {
  now: number;
  overlapMs: number;
  /** Since when this replica has seen the current bundle in every webhook configuration. */
  bundlePublishedAt?: number;
}

/** Two thirds into the validity span. */
export function renewalTime(span: Span): number {
  return span.notBefore + ((span.notAfter - span.notBefore) * 2) / 3;
}

export function planStep(inspection: Inspection, context: PlanContext): Step {
  if (!inspection.usable) return { kind: 'issue-all', reason: inspection.reason, expected: inspection.expected };
  const { set, caSpan, serving, repairs } = inspection;
  if ('problem' in serving) return { kind: 'reissue-serving', set, reason: serving.problem };
  if (repairs.length > 0) return { kind: 'repair-rotation', set, reason: repairs.join('; ') };

  const { now, overlapMs, bundlePublishedAt } = context;
  const servingRenewal = renewalTime(serving.span);
  const stepDone = (set.stepAt ?? now) + overlapMs;
  const { next } = set;
  const switchAt = next && !set.previous && bundlePublishedAt !== undefined
    ? Math.max(stepDone, bundlePublishedAt + overlapMs)
    : undefined;
  const caRenewal = !next && !set.previous ? renewalTime(caSpan) : undefined;

  if (set.previous && now >= stepDone) return { kind: 'retire-ca', set };
  if (next && switchAt !== undefined && now >= switchAt) return { kind: 'switch-ca', set: { ...set, next } };
  if (now >= servingRenewal) return { kind: 'reissue-serving', set, reason: 'renewal is due' };
  if (caRenewal !== undefined && now >= caRenewal) return { kind: 'introduce-ca', set };

  const retireAt = set.previous ? stepDone : undefined;
  const wakeAt = Math.min(...[servingRenewal, caRenewal, switchAt, retireAt].filter((t): t is number => t !== undefined));
  return { kind: 'none', wakeAt };
}
