// `npm run dev` as a newcomer uses it: the cluster with 2 simulated Nodes and the operator, then
// the README's commands with the version-matched kubectl. A cluster of its own (cluster-wide
// webhooks).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ANNOTATION_INJECTED_LIST, LABEL_SIDECARSET_NAME } from '../../src/api/sidecarset.ts';
import { DEFAULT_SETTINGS } from '../../src/operator/operator.ts';
import { startDevOperator } from '../control-plane/dev-operator.ts';
import { startDev, type DevEnvironment } from '../control-plane/dev.ts';
import { kubectlRunner } from '../support/kubectl.ts';
import { REPO_ROOT, SKIP_REASON, binariesAvailable, controlPlaneRequired, waitFor } from '../control-plane/harness.ts';

if (controlPlaneRequired() && !binariesAvailable()) throw new Error(`integration tier required but ${SKIP_REASON}`);

type Json = Record<string, any>;

describe('npm run dev: the examples on a cluster that behaves like one', { skip: binariesAvailable() ? false : SKIP_REASON, timeout: 300_000 }, () => {
  let dir: string;
  let dev: DevEnvironment;

  const kubectl = async (...args: string[]): Promise<string> => {
    const res = await kubectlRunner(dev.controlPlane.binaries.kubectl.path, dev.kubeconfigPath, REPO_ROOT)(...args);
    assert.equal(res.status, 0, `kubectl ${args.join(' ')}:\n${res.stderr}`);
    return res.stdout;
  };
  const shopPods = async (): Promise<Json[]> => JSON.parse(await kubectl('get', 'pods', '-n', 'demo', '-l', 'app=shop', '-o', 'json')).items;
  const readyAndInjected = (p: Json): boolean =>
    p.status?.phase === 'Running' &&
    p.status.conditions?.some((c: Json) => c.type === 'Ready' && c.status === 'True') &&
    p.spec.containers.some((c: Json) => c.name === 'log-agent') &&
    (p.metadata.annotations?.[ANNOTATION_INJECTED_LIST] ?? '').split(',').includes('log-agent');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecarset-dev-test-'));
    dev = await startDev({ startOperator: startDevOperator, kubeconfigPath: path.join(dir, 'kubeconfig') });
  });
  after(async () => {
    await dev?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('kubectl apply -n demo -f deploy/examples/: the Deployment\'s Pods and the plain Pod are Running, Ready and injected within 10 s', async () => {
    await kubectl('create', 'namespace', 'demo');
    const t0 = Date.now();
    await kubectl('apply', '-n', 'demo', '-f', 'deploy/examples/');
    await waitFor('2 shop Pods and shop-standalone Running, Ready, injected', async () => {
      const pods = JSON.parse(await kubectl('get', 'pods', '-n', 'demo', '-o', 'json')).items as Json[];
      return pods.length === 3 && pods.every(readyAndInjected) && (await shopPods()).length === 2;
    }, { timeoutMs: 10_000 - (Date.now() - t0), intervalMs: 200 });
  });

  it('kubectl get sidecarsets shows MATCHED 3 UPDATED 3 READY 3', async () => {
    const row = await waitFor('SidecarSet status 3/3/3', async () => {
      const lines = (await kubectl('get', 'sidecarsets', 'log-agent')).trim().split('\n');
      assert.deepEqual(lines[0]!.split(/\s+/), ['NAME', 'MATCHED', 'UPDATED', 'READY', 'AGE']);
      const cells = lines[1]!.split(/\s+/);
      return cells.slice(1, 4).join(' ') === '3 3 3' ? cells : undefined;
    }, { timeoutMs: 30_000 });
    assert.equal(row[0], 'log-agent');
  });

  it('kubectl rollout restart replaces the Pods with new, injected, Ready ones', async () => {
    const old = new Set((await shopPods()).map((p) => p.metadata.name));
    await kubectl('rollout', 'restart', '-n', 'demo', 'deployment/shop');
    await kubectl('rollout', 'status', '-n', 'demo', 'deployment/shop', '--timeout=90s');
    await waitFor('only new Pods, all injected and Ready', async () => {
      const pods = (await shopPods());
      return pods.length === 2 && pods.every((p) => !old.has(p.metadata.name) && readyAndInjected(p));
    }, { timeoutMs: 60_000 });
  });

  it('deleting the SidecarSet garbage-collects its ControllerRevisions', async () => {
    const revisions = async (): Promise<Json[]> =>
      JSON.parse(await kubectl('get', 'controllerrevisions', '-n', DEFAULT_SETTINGS.namespace, '-l', `${LABEL_SIDECARSET_NAME}=log-agent`, '-o', 'json')).items;
    await waitFor('a ControllerRevision of log-agent', async () => (await revisions()).length > 0, { timeoutMs: 30_000 });
    await kubectl('delete', 'sidecarset', 'log-agent');
    await waitFor('ControllerRevisions collected', async () => (await revisions()).length === 0, { timeoutMs: 60_000 });
  });
});
