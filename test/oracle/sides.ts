// Both sides of a differential case, reduced to one comparable Outcome: what was admitted or refused
// (every field error, for validation), and the object as the apiserver would store it after the patch.
// Ours calls the core functions the webhooks call; Kruise's goes through the oracle process.
import jsonpatch from 'fast-json-patch';
import type { Pod } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { buildRevision, revisionDataJson } from '../../src/revisions/controller-revisions.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { type FieldError, formatFieldError } from '../../src/field-error.ts';
import { InjectionError } from '../../src/injection/injection-error.ts';
import { injectPod } from '../../src/injection/inject-pod.ts';
import { injectionPatch } from '../../src/injection/patch.ts';
import { parsePatchMetadataWhitelist } from '../../src/validation/patch-metadata-whitelist.ts';
import { validateSidecarSet } from '../../src/validation/validate-sidecarset.ts';
import { KRUISE_NAMESPACE, type OracleCase } from './generator.ts';
import type { OracleAnswer, Oracle, OracleRequest } from './oracle-process.ts';

export interface Outcome {
  allowed: boolean;
  /** HTTP code of a refusal. */
  code?: number;
  /** A refusal's field errors (validation) or message (the others). */
  errors?: string[];
  /** Ours only, not compared: the field errors behind `errors`, for the normalisers. */
  fieldErrors?: FieldError[];
  /** The object after the patch (default, inject), or the ControllerRevision (revision). */
  object?: unknown;
  /** revision: the data bytes. */
  data?: string;
}

/** The fixed draw our side uses for the Partial revision policy; the generator only uses 0% and 100%. */
const RANDOM = (): number => 0.5;
const NOW = new Date('2026-01-01T00:00:00Z');

export function defaultedOrAsIs(object: unknown): unknown {
  try {
    return defaultSidecarSet(object as SidecarSet);
  } catch {
    return object; // our defaulting webhook then admits unchanged; validation judges the object
  }
}

export function oursOutcome(c: OracleCase): Outcome {
  switch (c.kind) {
    case 'default':
      return { allowed: true, object: defaultedOrAsIs(c.sidecarSet) };
    case 'validate': {
      const parsed = c.whitelist === undefined ? undefined : parsePatchMetadataWhitelist(c.whitelist).whitelist;
      const errors = validateSidecarSet(defaultedOrAsIs(c.sidecarSet), {
        operation: c.operation,
        oldObject: c.oldSidecarSet === undefined ? undefined : (defaultedOrAsIs(c.oldSidecarSet) as SidecarSet),
        others: c.others.map((s) => defaultSidecarSet(s)),
        revisions: c.revisions,
        patchMetadataWhitelist: parsed,
        allowPatchMetadataWithoutWhitelist: false,
      });
      return errors.length === 0 ? { allowed: true } : { allowed: false, code: 422, errors: errors.map(formatFieldError), fieldErrors: errors };
    }
    case 'inject':
      return oursInjection(c, c.pod);
    case 'revision': {
      const defaulted = defaultSidecarSet(c.sidecarSet);
      return { allowed: true, object: buildRevision(defaulted, KRUISE_NAMESPACE, c.revision, c.collisionCount), data: revisionDataJson(defaulted) };
    }
  }
}

export function oursInjection(c: Extract<OracleCase, { kind: 'inject' }>, pod: Pod): Outcome {
  const namespace = c.namespaces.find((ns) => ns.metadata.name === (pod.metadata?.namespace || c.namespace));
  try {
    const result = injectPod({
      pod,
      namespace: { name: c.namespace, labels: namespace?.metadata.labels ?? {} },
      sidecarSets: c.sidecarSets.map((s) => defaultSidecarSet(s)),
      revisions: c.revisions,
      now: NOW,
      random: RANDOM,
      operation: 'CREATE',
    });
    if (!result.changed) return { allowed: true, object: pod };
    const patch = injectionPatch(pod, result.changes);
    return { allowed: true, object: jsonpatch.applyPatch(structuredClone(pod), patch as jsonpatch.Operation[], true, false).newDocument };
  } catch (error) {
    if (error instanceof InjectionError) return { allowed: false, code: 403, errors: [error.message] };
    throw error;
  }
}

export function oracleRequest(c: OracleCase, pod?: Pod): OracleRequest {
  switch (c.kind) {
    case 'default':
      return { op: 'default', object: c.sidecarSet };
    case 'validate':
      return { op: 'validate', operation: c.operation, object: c.sidecarSet, oldObject: c.oldSidecarSet, sidecarSets: c.others, revisions: c.revisions, whitelist: c.whitelist };
    case 'inject':
      return { op: 'inject', object: pod ?? c.pod, namespace: c.namespace, sidecarSets: c.sidecarSets, namespaces: c.namespaces, revisions: c.revisions };
    case 'revision':
      return { op: 'revision', object: c.sidecarSet, revision: c.revision, collisionCount: c.collisionCount };
  }
}

export class OracleFailure extends Error {}

export function kruiseOutcome(c: OracleCase, answer: OracleAnswer, sent: unknown): Outcome {
  if (answer.error) throw new OracleFailure(`the oracle could not run the case: ${answer.error}`);
  if (c.kind === 'revision') return { allowed: answer.allowed, object: answer.object, data: answer.data };
  if (!answer.allowed) {
    const message = answer.message ?? '';
    return { allowed: false, code: answer.code, errors: c.kind === 'validate' ? splitAggregate(message) : [message] };
  }
  if (c.kind === 'validate') return { allowed: true };
  return { allowed: true, object: answer.object ?? sent };
}

const FIELD_ERROR_START = /^(?:[^\s,[\]]|\[[^\]]*\])*: (?:Not found|Required value|Duplicate value|Invalid value|Unsupported value|Forbidden|Too long|Too many|Internal error)\b/;

/**
 * The errors of a field.ErrorList's aggregate text: one message as is, several as `[a, b, ...]`.
 * Messages contain ", " themselves, so a new error starts only where a field path and an error type follow.
 */
export function splitAggregate(message: string): string[] {
  if (!message.startsWith('[') || !message.endsWith(']')) return [message];
  const body = message.slice(1, -1);
  const errors: string[] = [];
  let start = 0;
  for (let at = body.indexOf(', '); at >= 0; at = body.indexOf(', ', at + 2)) {
    if (FIELD_ERROR_START.test(body.slice(at + 2))) {
      errors.push(body.slice(start, at));
      start = at + 2;
    }
  }
  errors.push(body.slice(start));
  return errors;
}

/** Kruise's outcome of a case; a reinjection case first injects once through Kruise and then judges the injected Pod. */
export async function runKruise(oracle: Oracle, c: OracleCase): Promise<{ outcome: Outcome; pod?: Pod }> {
  if (c.kind === 'inject' && c.reinject) {
    const first = kruiseOutcome(c, await oracle.ask(oracleRequest(c)), c.pod);
    if (first.allowed) {
      const pod = first.object as Pod;
      return { outcome: kruiseOutcome(c, await oracle.ask(oracleRequest(c, pod)), pod), pod };
    }
    return { outcome: first };
  }
  const request = oracleRequest(c);
  return { outcome: kruiseOutcome(c, await oracle.ask(request), request.object) };
}
