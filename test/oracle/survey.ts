import { locateOracle } from '/work/wt-oracle/test/kruise-oracle/binary.ts';
import { generateCases } from '/work/wt-oracle/test/oracle/generator.ts';
import { judge } from '/work/wt-oracle/test/oracle/judge.ts';
import { OracleProcess } from '/work/wt-oracle/test/oracle/oracle-process.ts';
const n = Number(process.argv[2] ?? 200); const seed = Number(process.argv[3] ?? 20260101);
const oracle = new OracleProcess(locateOracle()!);
const cases = generateCases(seed, n);
const tally: Record<string, number> = {};
const sigs: Record<string, { count: number; example: number; diff: string }> = {};
const t0 = performance.now();
for (const [i, c] of cases.entries()) {
  let v;
  try { v = await judge(oracle, c); } catch (e) { tally.error = (tally.error ?? 0) + 1; const k = 'ERR ' + String(e).slice(0, 200); sigs[k] ??= { count: 0, example: i, diff: '' }; sigs[k].count++; continue; }
  tally[v.status] = (tally[v.status] ?? 0) + 1;
  if (v.status === 'different') {
    const key = c.kind + ' ' + v.diff.split('\n')[0].replace(/\[\d+\]/g, '[]');
    sigs[key] ??= { count: 0, example: i, diff: v.diff.slice(0, 1200) };
    sigs[key].count++;
  }
}
console.log(tally, ((performance.now() - t0) / n).toFixed(1), 'ms/case');
for (const [k, s] of Object.entries(sigs).sort((a, b) => b[1].count - a[1].count)) console.log(`\n=== ${s.count}x ${k} (case #${s.example})\n${s.diff}`);
await oracle.close();
