// `npm run oracle:build`: compile the Kruise oracle (main.go + bench.go, OpenKruise from the Go module
// proxy, pinned by the committed go.sum) into the cache directory binary.ts names, only when missing.
// Flags: --force (rebuild), --check (exit 1 if missing, no build).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findGo, goBuildEnv, runInherited } from '../support/go-toolchain.ts';
import { ORACLE_DIR, ORACLE_ENV, kruiseVersion, locateOracle, oracleCachePath } from './binary.ts';

const say = (msg: string): void => void process.stdout.write(`[oracle:build] ${msg}\n`);
const args = new Set(process.argv.slice(2));

async function main(): Promise<void> {
  const found = locateOracle();
  if (found && !args.has('--force')) {
    say(`${found}: nothing to build`);
    return;
  }
  if (args.has('--check')) {
    say(`missing: ${oracleCachePath()}`);
    process.exit(1);
  }
  if (process.env[ORACLE_ENV]) throw new Error(`${ORACLE_ENV} is set but ${process.env[ORACLE_ENV]} is not executable`);
  const dest = oracleCachePath();
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const go = findGo();
  const env = goBuildEnv();
  const t0 = performance.now();
  say(`building the oracle for OpenKruise ${kruiseVersion()} into ${dest} (cold: downloads and compiles Kruise and k8s.io/kubernetes)`);
  await runInherited(go, ['mod', 'download'], ORACLE_DIR, env);
  const downloaded = performance.now();
  const tmp = `${dest}.tmp-${process.pid}`; // renamed at the end: an interrupted build leaves no half binary
  try {
    await runInherited(go, ['build', '-trimpath', '-ldflags', '-s -w', '-o', tmp, '.'], ORACLE_DIR, env);
    fs.renameSync(tmp, dest);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  const secs = (from: number, to: number): string => `${((to - from) / 1000).toFixed(1)} s`;
  say(`download ${secs(t0, downloaded)}, build ${secs(downloaded, performance.now())}, total ${secs(t0, performance.now())}`);
}

main().catch((error: unknown) => {
  say(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
