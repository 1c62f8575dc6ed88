// Pod creation through a real kube-apiserver with the Pod webhook in the path vs not, same
// concurrency, same run. The operator runs as `sidecarset serve` in a child process (cert-mode
// external, certificate files prepared here), the configurations of
// test/support/webhook-configurations.ts are registered with the Pod webhook limited to namespaces
// labelled for it, and phases alternate between labelled and unlabelled namespaces. Prints Pods
// created per second; no pass/fail. Target: with the webhook >= 0.95x without.
// Two more phases tell the webhook's own cost apart from the apiserver's cost of storing a Pod
// that now has four containers: the webhook called on Pods it leaves alone, and the injected Pod
// sent by the client with no webhook in the path.
//
//   node test/bench/webhook-apiserver.ts [pods per phase = 400] [concurrency = 16]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { GROUP, PLURAL, VERSION } from '../../src/api/sidecarset.ts';
import { BUILD_HINT, SIDECARSET_CRD, binariesAvailable, freePorts, newServingCert, startControlPlane, waitFor } from '../control-plane/harness.ts';
import { sidecarSet } from '../support/admission-requests.ts';
import { webhookConfigurations } from '../support/webhook-configurations.ts';

const PODS = Number(process.argv[2] ?? 400);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const BENCH_LABEL = 'bench.sidecarset.io/webhook';
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

if (!binariesAvailable()) {
  console.log(`no kube-apiserver/etcd: ${BUILD_HINT}`);
  process.exit(0);
}

const cp = await startControlPlane({ quiet: true });
const certDir = mkdtempSync(join(tmpdir(), 'sidecarset-bench-certs-'));
let operator: ReturnType<typeof spawn> | undefined;
try {
  await cp.installCRDs(SIDECARSET_CRD);
  const core = cp.kubeConfig.makeApiClient(CoreV1Api);
  const objects = cp.kubeConfig.makeApiClient(CustomObjectsApi);
  const operatorNamespace = await cp.createNamespace({ prefix: 'sidecarset-system' });
  const tls = newServingCert();
  writeFileSync(join(certDir, 'tls.crt'), tls.certPem);
  writeFileSync(join(certDir, 'tls.key'), tls.keyPem);
  const [port, metricsPort] = await freePorts(2);
  operator = spawn(process.execPath, [
    MAIN, 'serve', `--kubeconfig=${cp.kubeconfigPath}`, `--namespace=${operatorNamespace}`, `--cert-dir=${certDir}`, '--cert-mode=external',
    `--port=${port}`, `--metrics-port=${metricsPort}`, '--bind-address=127.0.0.1', '--leader-elect=false', '--log-level=warn', '--shutdown-drain=0s',
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
  await waitFor('operator ready', async () => (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).ok, { timeoutMs: 60_000 });

  // 20 SidecarSets, 3 of which select the bench Pods.
  for (let i = 0; i < 20; i++) {
    const name = `bench-${String(i).padStart(2, '0')}`;
    const body = defaultSidecarSet(sidecarSet(name, {
      selector: { matchLabels: { app: i % 7 === 0 ? 'bench' : `other-${i}` } },
      containers: [{ name: `${name}-agent`, image: `agent:${i}`, env: [{ name: 'MODE', value: 'sidecar' }] }],
    }) as never);
    await objects.createClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, body });
  }
  const [mutating, validating] = webhookConfigurations({ namespace: operatorNamespace });
  for (const webhook of mutating.webhooks) {
    if (webhook.name === 'mpod.kb.io') webhook.namespaceSelector.matchExpressions.push({ key: BENCH_LABEL, operator: 'In', values: ['on'] });
  }
  await cp.registerWebhooks([mutating, validating], { port, caBundle: tls.caPem });

  const newNamespace = (withWebhook: boolean): Promise<string> => cp.createNamespace({ prefix: withWebhook ? 'bench-with' : 'bench-without', labels: withWebhook ? { [BENCH_LABEL]: 'on' } : {} });
  const pod = (name: string) => ({ metadata: { name, labels: { app: 'bench' } as Record<string, string> }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } });
  const probeNamespace = await newNamespace(true);
  const injected = await waitFor('the Pod webhook to be called', async () => {
    const probe = await core.createNamespacedPod({ namespace: probeNamespace, body: pod('probe'), dryRun: 'All' });
    return probe.spec!.containers.length === 4 ? probe : undefined;
  }, { timeoutMs: 30_000 });
  // The Pod the webhook produces, sent as is: the same object to store, without the webhook call.
  const preInjected = (name: string) => ({
    metadata: { name, labels: { app: 'unselected' }, annotations: injected.metadata!.annotations },
    spec: { initContainers: injected.spec!.initContainers, containers: injected.spec!.containers.map(({ volumeMounts, ...container }) => container) },
  });

  /**
   * Creates PODS Pods with CONCURRENCY requests in flight; returns Pods per second. `app` decides
   * whether the SidecarSets select them: with the webhook but nothing selected, the figure shows the
   * cost of the call alone, apart from the larger injected Pods the apiserver then stores.
   */
  const phase = async (withWebhook: boolean, app = 'bench', build: (name: string) => object = pod): Promise<number> => {
    const namespace = await newNamespace(withWebhook);
    const expected = (withWebhook && app === 'bench') || build !== pod ? 4 : 1;
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < PODS) {
        const body = build(`p-${next++}`) as ReturnType<typeof pod>;
        body.metadata.labels.app = app;
        const created = await core.createNamespacedPod({ namespace, body });
        if (created.spec!.containers.length !== expected) throw new Error(`expected ${expected} containers, got ${created.spec!.containers.length}`);
      }
    }));
    return PODS / ((performance.now() - started) / 1000);
  };

  await phase(false); // warm-up: apiserver caches, connections, JIT
  await phase(true);
  const rows: { phase: string; podsPerSecond: number }[] = [];
  for (let round = 0; round < 3; round++) {
    rows.push({ phase: 'without webhook', podsPerSecond: Math.round(await phase(false)) });
    rows.push({ phase: 'with webhook', podsPerSecond: Math.round(await phase(true)) });
    rows.push({ phase: 'with webhook, nothing to inject', podsPerSecond: Math.round(await phase(true, 'unselected')) });
    rows.push({ phase: 'without webhook, sidecars sent by the client', podsPerSecond: Math.round(await phase(false, 'unselected', preInjected)) });
  }
  console.table(rows);
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const sum = (name: string): number => [...metrics.matchAll(new RegExp(`^${name}\\{webhook="mutate-pod"[^}]*\\} (\\S+)$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
  console.log(`mean time inside the Pod webhook: ${((sum('sidecarset_webhook_admission_duration_seconds_sum') / sum('sidecarset_webhook_admission_duration_seconds_count')) * 1e6).toFixed(0)} µs`);
  const mean = (name: string): number => {
    const values = rows.filter((row) => row.phase === name).map((row) => row.podsPerSecond);
    return values.reduce((a, b) => a + b, 0) / values.length;
  };
  const without = mean('without webhook');
  const withWebhook = mean('with webhook');
  const callOnly = mean('with webhook, nothing to inject');
  console.log(`${PODS} Pods per phase, ${CONCURRENCY} in flight: ${Math.round(without)} Pods/s without the webhook, ${Math.round(withWebhook)} with it: ${(withWebhook / without).toFixed(2)}x (target >= 0.95x)`);
  const sameObject = mean('without webhook, sidecars sent by the client');
  console.log(`webhook called but nothing injected: ${Math.round(callOnly)} Pods/s, ${(callOnly / without).toFixed(2)}x`);
  console.log(`the injected Pod sent by the client, no webhook: ${Math.round(sameObject)} Pods/s; with the webhook injecting it: ${(withWebhook / sameObject).toFixed(2)}x of that`);
} finally {
  if (operator && operator.exitCode === null) {
    const exited = new Promise((resolve) => operator!.once('exit', resolve));
    operator.kill('SIGTERM');
    await exited;
  }
  await cp.stop();
  rmSync(certDir, { recursive: true, force: true });
}
