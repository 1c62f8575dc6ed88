// One case through both sides and the comparison; and shrinking a failing case to a minimal input.
import type { Pod } from '../../src/api/core.ts';
import { compareCase, type Verdict } from './compare.ts';
import { MINIMAL_DEFAULTING_PATCH } from './differences.ts';
import type { OracleCase } from './generator.ts';
import type { Oracle } from './oracle-process.ts';
import { oursInjection, oursOutcome, runKruise, type Outcome } from './sides.ts';

export async function judge(oracle: Oracle, raw: OracleCase): Promise<Verdict> {
  // The apiserver sends a Pod as its Go types encode it: both sides get that form.
  const c = raw.kind === 'inject' ? { ...raw, pod: (await typed(oracle, 'Pod', raw.pod)) as Pod } : raw;
  const { outcome: kruise, pod } = await runKruise(oracle, c);
  let ours: Outcome;
  try {
    ours = c.kind === 'inject' ? oursInjection(c, pod ?? c.pod) : oursOutcome(c);
  } catch (error) {
    ours = { allowed: false, errors: [`exception: ${error instanceof Error ? error.stack : String(error)}`] };
  }
  // A reinjection is judged as the injection of the Pod it was given: Kruise's first answer.
  if (c.kind === 'inject') return compareCase({ ...c, pod: pod ?? c.pod }, await stored(oracle, 'Pod', ours), await stored(oracle, 'Pod', kruise));
  const verdict = compareCase(c, ours, kruise);
  if (c.kind !== 'default' || verdict.status !== 'different') return verdict;
  // Kruise re-encodes the whole SidecarSet through its Go types; ours patches in the defaults only.
  const retyped = compareCase(c, await stored(oracle, 'SidecarSet', ours), await stored(oracle, 'SidecarSet', kruise));
  if (retyped.status === 'different') return retyped;
  return { status: 'documented', differences: [MINIMAL_DEFAULTING_PATCH, ...(retyped.status === 'documented' ? retyped.differences : [])] };
}

async function typed(oracle: Oracle, kind: 'Pod' | 'SidecarSet', object: unknown): Promise<unknown> {
  const answer = await oracle.ask({ op: 'canonical', kind, object });
  if (answer.error) throw new Error(`the oracle could not decode a ${kind}: ${answer.error}`);
  return answer.object;
}

/** An outcome with its object through the Go types (for a Pod: as the apiserver would store it). */
async function stored(oracle: Oracle, kind: 'Pod' | 'SidecarSet', outcome: Outcome): Promise<Outcome> {
  if (!outcome.allowed || outcome.object === undefined) return outcome;
  return { ...outcome, object: await typed(oracle, kind, outcome.object) };
}

/** Every case one deletion smaller: each object key and each array element removed in turn, deepest last. */
function* smaller(value: unknown): Generator<unknown> {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield [...value.slice(0, i), ...value.slice(i + 1)];
    for (let i = 0; i < value.length; i++) for (const item of smaller(value[i])) yield value.map((v, j) => (j === i ? item : v));
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key === 'kind') continue; // the case's kind and the objects' kinds are not optional
    const { [key]: _removed, ...rest } = record;
    yield rest;
  }
  for (const key of Object.keys(record)) for (const item of smaller(record[key])) yield { ...record, [key]: item };
}

/**
 * What makes a failure the same failure while its input shrinks: the errors only one side gives (field
 * errors and messages), or else the first path where the outcomes disagree.
 */
function signature(verdict: Verdict): string | undefined {
  if (verdict.status !== 'different') return undefined;
  const ours = new Set(verdict.ours.errors ?? []);
  const kruise = new Set(verdict.kruise.errors ?? []);
  const oneSided = [...[...ours].filter((e) => !kruise.has(e)).map((e) => `ours: ${e}`), ...[...kruise].filter((e) => !ours.has(e)).map((e) => `kruise: ${e}`)];
  return oneSided.length > 0 ? oneSided.sort().join('\n') : verdict.diff.split('\n')[0];
}

/**
 * Greedy shrinking: take the first one-deletion-smaller case that still fails at the same place, until
 * none does or the budget of oracle round trips is spent. Candidates the harness cannot run count as passing.
 */
export async function shrink(oracle: Oracle, failing: OracleCase, budget = 2000): Promise<{ case: OracleCase; verdict: Verdict; tries: number }> {
  let current = failing;
  let verdict = await judge(oracle, current);
  const wanted = signature(verdict);
  let tries = 0;
  let progress = true;
  while (progress && tries < budget) {
    progress = false;
    for (const candidate of smaller(current)) {
      if (++tries > budget) break;
      let result: Verdict;
      try {
        result = await judge(oracle, candidate as OracleCase);
      } catch {
        continue;
      }
      if (signature(result) === wanted) {
        current = candidate as OracleCase;
        verdict = result;
        progress = true;
        break;
      }
    }
  }
  return { case: current, verdict, tries };
}
