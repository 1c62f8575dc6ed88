// `node --test --test-global-setup=test/control-plane/global-setup.ts ...`
//
// Runs in the test runner's own process, before any test file: starts ONE control plane for the
// whole run and hands it to the test files (separate processes) through an env var naming a
// state file. Files then share it; each test isolates itself with a fresh namespace.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, SHARED_ENV, binariesOrSkip, log, skippedBanner, startControlPlane, type ControlPlane, type SharedState } from './harness.ts';

let cp: ControlPlane | undefined;
let skipped = false;

export async function globalSetup(): Promise<void> {
  if (!binariesOrSkip()) {
    process.env[SHARED_ENV] = 'unavailable'; // the test files then skip without repeating why
    skipped = true;
    return;
  }
  cp = await startControlPlane();
  const state: SharedState = { server: cp.server, kubeconfigPath: cp.kubeconfigPath, ownerPid: process.pid, conversion: cp.conversion };
  const stateFile = path.join(cp.dir, 'shared.json');
  fs.writeFileSync(stateFile, JSON.stringify(state));
  process.env[SHARED_ENV] = stateFile; // inherited by the test file processes spawned after this
}

export async function globalTeardown(): Promise<void> {
  // Said after the run, where it is seen: each integration test file is one suite.
  if (skipped) process.stderr.write(skippedBanner(fs.globSync('test/integration/**/*.test.ts', { cwd: REPO_ROOT }).length));
  if (!cp) return;
  log(`stopping shared control plane (logs were in ${cp.dir})`);
  await cp.stop();
}
