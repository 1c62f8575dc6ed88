// One case through both sides and the comparison; and shrinking a failing case to a minimal input.
import { compareCase, type Verdict } from './compare.ts';
import type { OracleCase } from './generator.ts';
import type { Oracle } from './oracle-process.ts';
import { oursInjection, oursOutcome, runKruise, type Outcome } from './sides.ts';

export async function judge(oracle: Oracle, c: OracleCase): Promise<Verdict> {
  const { outcome: kruise, pod } = await runKruise(oracle, c);
  let ours: Outcome;
  try {
    ours = c.kind === 'inject' ? oursInjection(c, pod ?? c.pod) : oursOutcome(c);
  } catch (error) {
    ours = { allowed: false, errors: [`exception: ${error instanceof Error ? error.stack : String(error)}`] };
  }
  return compareCase(c, ours, kruise);
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
