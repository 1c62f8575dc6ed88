// Proves the harness leaves no kube-apiserver/etcd behind when the process owning a control
// plane dies: by an uncaught exception, by SIGTERM, and by SIGKILL (the watchdog's job).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MISSING_BINARIES, SKIP_REASON, binariesAvailable, controlPlaneRequired, waitFor } from '../control-plane/harness.ts';

if (controlPlaneRequired() && !binariesAvailable()) throw new Error(`integration tier required but ${MISSING_BINARIES}`);

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../control-plane/crash-fixture.ts');

/** Gone, or a zombie nobody has reaped yet (it no longer runs). */
function gone(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
  } catch {
    return true;
  }
}

interface Report { pids: { etcd: number; kubeApiserver: number }; dir: string }

async function runFixture(mode: 'throw' | 'sigterm' | 'sigkill'): Promise<{ report: Report; code: number | null; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [FIXTURE, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const report = await new Promise<Report>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as Report);
    });
    void exit.then(() => reject(new Error(`fixture exited before reporting:\n${err}`)));
  });
  assert.ok(!gone(report.pids.etcd) && !gone(report.pids.kubeApiserver), 'control plane running before the crash');
  if (mode === 'sigterm') child.kill('SIGTERM');
  if (mode === 'sigkill') child.kill('SIGKILL');
  return { report, ...(await exit) };
}

async function assertCleanedUp(r: Report, timeoutMs: number): Promise<void> {
  await waitFor('kube-apiserver and etcd gone', () => gone(r.pids.kubeApiserver) && gone(r.pids.etcd), { timeoutMs });
  await waitFor('temp dir removed', () => !fs.existsSync(r.dir), { timeoutMs });
}

// Sequential on purpose: three control planes starting at once on 2 cores gained nothing.
describe('control plane teardown', { skip: binariesAvailable() ? false : SKIP_REASON }, () => {
  it('an uncaught exception in the owner kills etcd and kube-apiserver', async () => {
    const { report, code } = await runFixture('throw');
    assert.notEqual(code, 0);
    await assertCleanedUp(report, 5_000);
  });

  it('SIGTERM to the owner stops the control plane gracefully', async () => {
    const { report, code } = await runFixture('sigterm');
    assert.equal(code, 128 + 15);
    await assertCleanedUp(report, 5_000);
  });

  it('SIGKILL of the owner: the watchdog kills the orphans', async () => {
    const { report, signal } = await runFixture('sigkill');
    assert.equal(signal, 'SIGKILL');
    await assertCleanedUp(report, 10_000);
  });
});
