// The differential tier: seeded cases through our core and through OpenKruise v1.9.0's own handlers
// (the oracle binary, `npm run oracle:build`). A case must come out identical or be explained by a
// deliberate difference (differences.ts); any other difference fails, printing the shrunk input.
// ORACLE_SEED and ORACLE_CASES replay or widen a run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { locateOracle } from '../kruise-oracle/binary.ts';
import { generateCases } from './generator.ts';
import { judge, shrink } from './judge.ts';
import { OracleProcess } from './oracle-process.ts';

const SEED = Number(process.env.ORACLE_SEED ?? 20260101);
const CASES = Number(process.env.ORACLE_CASES ?? 1000);
const binary = locateOracle();
// CI sets it: a missing binary is then a failure, not a skip.
if (!binary && process.env.SIDECARSET_REQUIRE_ORACLE === '1') throw new Error('SIDECARSET_REQUIRE_ORACLE=1 but no oracle binary: npm run oracle:build');

test(`${CASES} seeded cases (seed ${SEED}) agree with Kruise or differ only deliberately`, { skip: binary ? false : 'no oracle binary: npm run oracle:build' }, async () => {
  const oracle = new OracleProcess(binary!);
  try {
    const tally = { identical: 0, documented: 0, different: 0 };
    const byKind: Record<string, { cases: number; identical: number }> = {};
    const byDifference: Record<string, number> = {};
    const failures: number[] = [];
    const cases = generateCases(SEED, CASES);
    for (const [index, c] of cases.entries()) {
      const verdict = await judge(oracle, c);
      tally[verdict.status]++;
      const kind = (byKind[c.kind] ??= { cases: 0, identical: 0 });
      kind.cases++;
      if (verdict.status === 'identical') kind.identical++;
      if (verdict.status === 'documented') for (const name of verdict.differences) byDifference[name] = (byDifference[name] ?? 0) + 1;
      if (verdict.status === 'different') failures.push(index);
    }
    const summary = [
      `oracle agreement: ${tally.identical} of ${CASES} cases identical, ${tally.documented} differ only deliberately, ${tally.different} differ`,
      ...Object.entries(byKind).map(([kind, { cases: n, identical }]) => `  ${kind}: ${identical}/${n} identical`),
      ...Object.entries(byDifference).map(([name, n]) => `  deliberate "${name}": ${n} cases`),
    ].join('\n');
    process.stdout.write(`${summary}\n`);
    if (failures.length > 0) {
      const shrunk = await shrink(oracle, cases[failures[0]]);
      const detail = shrunk.verdict.status === 'different' ? shrunk.verdict.diff : '(no longer fails)';
      assert.fail(
        `${failures.length} case(s) differ from Kruise (first: #${failures[0]} of seed ${SEED}; all: ${failures.slice(0, 30).join(', ')})\n` +
          `minimal input (${shrunk.tries} tries):\n${JSON.stringify(shrunk.case)}\ndifference:\n${detail}`,
      );
    }
  } finally {
    await oracle.close();
  }
});
