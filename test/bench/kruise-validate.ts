// Validation of one SidecarSet against 1,000 existing ones: our validateSidecarSet against Kruise
// v1.9.0's validating handler (the oracle binary's `bench-validate` mode: Handle() in process over a
// fake client holding the 1,000). Same inputs; both defaulted first, as the mutating webhook would.
// Prints µs per validation and the ratio; no pass/fail.
//
//   npm run oracle:build && node test/bench/kruise-validate.ts [calls = 300]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { validateSidecarSet } from '../../src/validation/validate-sidecarset.ts';
import { locateOracle } from '../kruise-oracle/binary.ts';
import { sidecarSet } from '../support/admission-requests.ts';
import { benchSidecarSetsRaw } from '../support/bench-inputs.ts';
import { temporaryDirectory } from '../support/temporary-directory.ts';

const CALLS = Number(process.argv[2] ?? 300);
const EXISTING = 1000;

const oracle = locateOracle();
if (!oracle) throw new Error('no oracle binary: npm run oracle:build');
const existing = benchSidecarSetsRaw(EXISTING, 20);
const candidate = sidecarSet('candidate', {
  selector: { matchLabels: { app: 'bench' } },
  containers: [{ name: 'candidate-agent', image: 'agent:1', volumeMounts: [{ name: 'candidate-cfg', mountPath: '/etc/agent' }] }],
  volumes: [{ name: 'candidate-cfg', emptyDir: {} }],
});

const others = existing.map((s) => defaultSidecarSet(s));
const context = { operation: 'CREATE' as const, others, revisions: [], allowPatchMetadataWithoutWhitelist: false };
const errors = validateSidecarSet(defaultSidecarSet(candidate as any), context);
for (let i = 0; i < 20; i++) validateSidecarSet(defaultSidecarSet(candidate as any), context); // warm-up
const t0 = performance.now();
for (let i = 0; i < CALLS; i++) validateSidecarSet(defaultSidecarSet(candidate as any), context);
const oursMicros = ((performance.now() - t0) * 1000) / CALLS;

const dir = temporaryDirectory('kruise-validate-');
fs.writeFileSync(path.join(dir, 'cluster.json'), JSON.stringify({ sidecarSets: existing }));
fs.writeFileSync(path.join(dir, 'object.json'), JSON.stringify(candidate));
const kruise = JSON.parse(
  execFileSync(oracle, ['bench-validate', '--cluster', path.join(dir, 'cluster.json'), '--object', path.join(dir, 'object.json'), '--iterations', String(CALLS)], { encoding: 'utf8', env: { ...process.env, GOMAXPROCS: '1' } }),
) as { allowed: boolean; microsPerCall: number };

console.log(`validate 1 SidecarSet against ${EXISTING} existing ones, ${CALLS} calls each (defaulting included on our side)`);
console.log(`ours:   ${oursMicros.toFixed(1)} µs per validation (${errors.length === 0 ? 'allowed' : `refused: ${errors.length} errors`})`);
console.log(`Kruise: ${kruise.microsPerCall.toFixed(1)} µs per validation (${kruise.allowed ? 'allowed' : 'refused'}), GOMAXPROCS=1`);
console.log(`Kruise/ours: ${(kruise.microsPerCall / oursMicros).toFixed(2)}x`);
