// Startup benchmark of self-managed certificates: what it costs to generate them, and how long an
// operator replica takes from start to ready (/readyz) on a real kube-apiserver, cold (no Secret:
// CA and serving certificate generated, Secret created) and warm (Secret already there).
//
//   node test/bench/startup.ts [runs]        (needs the control-plane binaries; see harness.ts)
import { generateKeyPairSync } from 'node:crypto';
import * as tls from 'node:tls';
import forge from 'node-forge';
import { CoreV1Api } from '@kubernetes/client-node';
import { issueCa, issueServing } from '../../certs/authority.ts';
import { servingIdentity } from '../../certs/identity.ts';
import { DEFAULT_LIFETIMES } from '../../certs/lifetimes.ts';
import { DEFAULT_SETTINGS, type Operator } from '../../src/operator/operator.ts';
import { BUILD_HINT, binariesAvailable, startControlPlane, waitFor, type Cluster } from '../control-plane/harness.ts';
import { certificateLoaded, startSelfManagedReplica } from '../support/self-managed-replica.ts';

const runs = Number(process.argv[2] ?? 5);

function timed<T>(work: () => T): [T, number] {
  const start = performance.now();
  const result = work();
  return [result, performance.now() - start];
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${at(0.5).toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (n=${samples.length})`;
}

/** A TLS handshake that verifies the served certificate against the stored CA, by IP SAN. */
function handshake(port: number, ca: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca }, () => {
      socket.end();
      resolve();
    });
    socket.on('error', reject);
  });
}

async function startToReady(cluster: Cluster, namespace: string): Promise<{ operator: Operator; readyMs: number; servingMs: number }> {
  const start = performance.now();
  const operator = await startSelfManagedReplica(cluster, {
    namespace,
    mutatingWebhookConfiguration: `bench-${namespace}`,
    validatingWebhookConfiguration: `bench-${namespace}`,
    logLevel: 'error',
  });
  await waitFor('certificate loaded', () => certificateLoaded(operator), { timeoutMs: 60_000, intervalMs: 5 });
  const servingMs = performance.now() - start;
  await waitFor('ready', () => operator.readiness.report().ready, { timeoutMs: 60_000, intervalMs: 5 });
  const readyMs = performance.now() - start;
  const secret = await cluster.kubeConfig.makeApiClient(CoreV1Api).readNamespacedSecret({ name: DEFAULT_SETTINGS.secretName, namespace });
  await handshake(operator.ports.webhook, Buffer.from(secret.data!['ca.crt'], 'base64').toString());
  return { operator, readyMs, servingMs };
}

if (!binariesAvailable()) {
  process.stderr.write(`startup benchmark needs kube-apiserver and etcd: ${BUILD_HINT}\n`);
  process.exit(2);
}

const identity = servingIdentity({ serviceName: 'sidecarset-webhook', namespace: 'sidecarset-system', extraIps: ['127.0.0.1'] });
const keygen = Array.from({ length: runs }, () => timed(() => generateKeyPairSync('rsa', { modulusLength: 2048 }))[1]);
// forge delegates to node's generator on its own unless `usePureJavaScript` is set (a global that
// @types/node-forge does not declare): measure what the pure-JavaScript path would cost.
const forgeOptions = (forge as unknown as { options: { usePureJavaScript: boolean } }).options;
forgeOptions.usePureJavaScript = true;
const forgeKeygen = Array.from({ length: 3 }, () => timed(() => forge.pki.rsa.generateKeyPair({ bits: 2048 }))[1]);
forgeOptions.usePureJavaScript = false;
const issue = Array.from({ length: runs }, () => timed(() => {
  const now = Date.now();
  const ca = issueCa({ now, lifetimeMs: DEFAULT_LIFETIMES.caMs, backdateMs: DEFAULT_LIFETIMES.backdateMs });
  issueServing(ca, identity, { now, lifetimeMs: DEFAULT_LIFETIMES.servingMs, backdateMs: DEFAULT_LIFETIMES.backdateMs });
})[1]);

const cpStart = performance.now();
const cp = await startControlPlane({ quiet: true });
process.stdout.write(`control plane started (not counted) in ${(performance.now() - cpStart).toFixed(0)} ms\n`);
const cold: number[] = [];
const coldServing: number[] = [];
const warm: number[] = [];
const warmServing: number[] = [];
try {
  await cp.installCRDs();
  for (let i = 0; i < runs; i++) {
    const namespace = await cp.createNamespace({ prefix: 'bench' });
    const first = await startToReady(cp, namespace);
    cold.push(first.readyMs);
    coldServing.push(first.servingMs);
    const second = await startToReady(cp, namespace);
    warm.push(second.readyMs);
    warmServing.push(second.servingMs);
    await Promise.all([first.operator.stop(), second.operator.stop()]);
  }
} finally {
  await cp.stop();
}

process.stdout.write([
  `RSA-2048 key, node crypto:                 ${summary(keygen)}`,
  `RSA-2048 key, forge pure JS (not used):    ${summary(forgeKeygen)}`,
  `CA + serving certificate issued:           ${summary(issue)}`,
  `replica start -> certificate served, cold: ${summary(coldServing)}`,
  `replica start -> /readyz ready, cold:      ${summary(cold)}   (generates CA + serving cert, creates the Secret)`,
  `replica start -> certificate served, warm: ${summary(warmServing)}`,
  `replica start -> /readyz ready, warm:      ${summary(warm)}   (adopts the existing Secret)`,
].join('\n') + '\n');
