// `sidecarset serve` on a real kube-apiserver that lacks what it needs: first the CRD, then the
// webhook configurations. Each gap is said in one clear line (the CRD's at most once a minute, and
// in /readyz), and Ctrl-C (SIGINT) stops at once. A private control plane: the shared one gets the
// CRD from other test files.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CRD_MISSING } from '../../src/kube/caches.ts';
import { REPO_ROOT, SKIP_REASON, binariesAvailable, controlPlaneRequired, freePorts, newServingCert, startControlPlane, waitFor, MISSING_BINARIES, type ControlPlane } from '../control-plane/harness.ts';
import { temporaryDirectory } from '../support/temporary-directory.ts';

if (controlPlaneRequired() && !binariesAvailable()) throw new Error(`integration tier required but ${MISSING_BINARIES}`);

interface Serve {
  child: ChildProcess;
  lines: Record<string, any>[];
  metricsPort: number;
  exited: Promise<number | null>;
}

async function serve(cp: ControlPlane, namespace: string, run: string): Promise<Serve> {
  const certDir = temporaryDirectory('sidecarset-serve-certs-');
  const { certPem, keyPem } = newServingCert();
  fs.writeFileSync(path.join(certDir, 'tls.crt'), certPem);
  fs.writeFileSync(path.join(certDir, 'tls.key'), keyPem);
  const [port, metricsPort] = await freePorts(2);
  const child = spawn(path.join(REPO_ROOT, 'node_modules/.bin/node'), [
    'bin/sidecarset.js', 'serve',
    '--kubeconfig', cp.kubeconfigPath,
    '--namespace', namespace,
    '--cert-mode', 'external', '--cert-dir', certDir,
    '--port', String(port), '--metrics-port', String(metricsPort), '--bind-address', '127.0.0.1',
    '--mutating-webhook-configuration', `mutating-${run}`, '--validating-webhook-configuration', `validating-${run}`,
  ], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Record<string, any>[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const complete = buffered.split('\n');
    buffered = complete.pop()!;
    for (const line of complete) if (line.trim()) lines.push(JSON.parse(line));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, metricsPort, exited };
}

/** Ctrl-C: the process is gone in under a second, with exit code 0. */
async function interrupt(running: Serve): Promise<void> {
  const start = performance.now();
  running.child.kill('SIGINT');
  const code = await running.exited;
  const ms = performance.now() - start;
  assert.equal(code, 0);
  assert.ok(ms < 1_000, `SIGINT took ${Math.round(ms)} ms`);
}

const messages = (lines: Record<string, any>[]): string[] => lines.map((line) => line.msg);

describe('sidecarset serve says what is missing', { skip: binariesAvailable() ? false : SKIP_REASON, timeout: 180_000 }, () => {
  let cp: ControlPlane;
  const running: Serve[] = [];
  before(async () => {
    cp = await startControlPlane({ handleSignals: false, quiet: true });
  });
  after(async () => {
    for (const { child } of running) child.kill('SIGKILL');
    await cp?.stop();
  });

  it('without the CRD: the start-up line, one error with how to install it, readiness false with that reason; SIGINT stops at once', async () => {
    const namespace = await cp.createNamespace({ prefix: 'serve-no-crd' });
    const server = await serve(cp, namespace, 'no-crd');
    running.push(server);
    await waitFor('the CRD error', async () => messages(server.lines).includes(CRD_MISSING), { timeoutMs: 30_000 });
    assert.deepEqual(
      (({ level, msg, apiserver, user, namespace: ns }) => ({ level, msg, apiserver, user, namespace: ns }))(server.lines[0]),
      { level: 30, msg: 'using the apiserver', apiserver: cp.server, user: 'admin', namespace },
    );
    // Several retries (250 ms, 500 ms, 1 s, ...) happen within these seconds; the error is said once.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const errors = server.lines.filter((line) => line.msg === CRD_MISSING);
    assert.equal(errors.length, 1, messages(server.lines).join('\n'));
    assert.equal(errors[0].level, 50);
    assert.deepEqual(server.lines.filter((line) => line.cache === 'sidecarsets' && line.msg === 'watch restarted'), [], 'the raw 404 is not logged besides');

    const readyz = await fetch(`http://127.0.0.1:${server.metricsPort}/readyz`);
    assert.equal(readyz.status, 503);
    const report = (await readyz.json()) as { checks: Record<string, { ok: boolean; lastError?: string; restarts: number }> };
    const check = report.checks['cache/sidecarSets'];
    assert.deepEqual({ ok: check.ok, lastError: check.lastError }, { ok: false, lastError: CRD_MISSING });
    assert.ok(check.restarts >= 3, `the watch retried ${check.restarts} times meanwhile`);
    await interrupt(server);
  });

  it('without webhook configurations: one warning for each, saying what does not happen; SIGINT stops at once once ready', async () => {
    await cp.installCRDs();
    const namespace = await cp.createNamespace({ prefix: 'serve-no-webhooks' });
    const server = await serve(cp, namespace, 'no-webhooks');
    running.push(server);
    await waitFor('ready', async () => (await fetch(`http://127.0.0.1:${server.metricsPort}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 30_000 });
    await waitFor('two warnings', async () => server.lines.filter((line) => line.level === 40 && /WebhookConfiguration/.test(line.kind ?? '')).length === 2, { timeoutMs: 10_000 });
    assert.equal(server.lines[0].msg, 'using the apiserver');
    const warnings = server.lines.filter((line) => line.level === 40);
    assert.deepEqual(warnings.map((line) => line.msg), [
      'MutatingWebhookConfiguration mutating-no-webhooks not found: the apiserver does not call this operator, so no Pod is injected and no SidecarSet defaulted; install the Helm chart (deploy/helm/sidecarset), or use `npm run dev`',
      'ValidatingWebhookConfiguration validating-no-webhooks not found: the apiserver does not call this operator, so SidecarSets are not validated; install the Helm chart (deploy/helm/sidecarset), or use `npm run dev`',
    ]);
    assert.ok(!messages(server.lines).includes(CRD_MISSING));
    await interrupt(server);
  });
});
