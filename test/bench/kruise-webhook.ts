// /mutate-pod over HTTPS keep-alive, ours against OpenKruise v1.9.0's Pod handler served by
// controller-runtime's webhook server (the oracle binary's `serve` mode), one run, same machine, same
// certificate, same ~10 KB review, for 1, 20 and 200 SidecarSets (1, 3 and 20 of them matching).
// Beside them, our own parse-and-echo route: the floor of TLS + HTTP + JSON. Each server runs alone,
// pinned to CPU 0 (Go with GOMAXPROCS=1), the load generator on CPU 1. Server CPU is read from
// /proc/<pid>/stat. Prints figures and ratios; no pass/fail.
//
//   npm run oracle:build && node test/bench/kruise-webhook.ts [seconds per run = 8] [connections = 32]
//
// Goals (issue 16): >= 2x Kruise's throughput per core; within 1.15x of our echo floor.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { newServingCert } from '../control-plane/harness.ts';
import { locateOracle } from '../kruise-oracle/binary.ts';
import { benchReview, benchSidecarSets, benchSidecarSetsRaw } from '../support/bench-inputs.ts';
import { memoryClusterCaches, namespace } from '../support/memory-caches.ts';
import { startTestWebhookServer } from '../support/test-webhook-server.ts';
import { temporaryDirectory } from '../support/temporary-directory.ts';
import { pinnable, pinToCore } from './cpu-pinning.ts';

const SECONDS = Number(process.argv[2] ?? 8);
const CONNECTIONS = Number(process.argv[3] ?? 32);
const SELF = fileURLToPath(import.meta.url);
const SIZES: Array<[count: number, matching: number]> = [[1, 1], [20, 3], [200, 20]];
const BENCH_NAMESPACE = { name: 'bench', labels: { team: 'bench' } };

async function serveOurs(count: number, matching: number, tlsFile: string): Promise<void> {
  const tls = JSON.parse(fs.readFileSync(tlsFile, 'utf8'));
  const t = await startTestWebhookServer({
    logLevel: 'warn',
    tls,
    caches: memoryClusterCaches({ sidecarSets: benchSidecarSets(count, matching), namespaces: [namespace(BENCH_NAMESPACE.name, BENCH_NAMESPACE.labels)] }),
    configure: (server) => server.app.post('/echo', (request, reply) => void reply.send(request.body)),
  });
  process.send!({ port: t.port });
  process.on('message', (message) => {
    if (message === 'stop') void t.close().then(() => process.exit(0));
  });
}

/** utime + stime of a process, in microseconds. */
function cpuMicros(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of stat(5), counted after "pid (comm)"
  return (ticks * 1e6) / 100; // USER_HZ is 100 on Linux
}

interface Figures {
  sidecarSets: number;
  server: string;
  requestsPerSecond: number;
  p50ms: number;
  p99ms: number;
  cpuMicrosPerRequest: number;
  errors: number;
}

async function measure(pid: number, url: string, body: string, seconds: number): Promise<Omit<Figures, 'sidecarSets' | 'server'>> {
  const before = cpuMicros(pid);
  const result = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: CONNECTIONS, duration: seconds });
  const cpu = cpuMicros(pid) - before;
  const completed = result.requests.total;
  return {
    requestsPerSecond: Math.round(completed / seconds),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    cpuMicrosPerRequest: Math.round((cpu / completed) * 10) / 10,
    errors: result.errors + result.non2xx,
  };
}

function onCore0(pinned: boolean, command: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  return spawn(pinned ? 'taskset' : command, pinned ? ['-c', '0', command, ...args] : args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: env ?? process.env });
}

async function stop(child: ChildProcess, viaIpc: boolean): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (viaIpc) child.send('stop');
  else child.kill('SIGTERM');
  await exited;
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`https://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) }).then(() => true, (error) => String(error?.cause?.code ?? '').startsWith('ERR_TLS') || String(error?.cause?.code ?? '').includes('CERT') || String(error?.cause?.message ?? '').includes('certificate'));
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Kruise's webhook server did not listen on ${port}`);
}

async function main(): Promise<void> {
  const oracle = locateOracle();
  if (!oracle) throw new Error('no oracle binary: npm run oracle:build');
  const pinned = pinnable();
  if (pinned) pinToCore(process.pid, 1);
  const dir = temporaryDirectory('kruise-bench-');
  const tls = newServingCert();
  const tlsFile = path.join(dir, 'tls.json');
  fs.writeFileSync(tlsFile, JSON.stringify(tls));
  fs.writeFileSync(path.join(dir, 'tls.crt'), tls.certPem);
  fs.writeFileSync(path.join(dir, 'tls.key'), tls.keyPem);
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // loopback only, our own throwaway certificate

  const body = JSON.stringify(benchReview());
  console.log(`review ${(body.length / 1024).toFixed(1)} KB, ${CONNECTIONS} connections, ${SECONDS} s per run, servers ${pinned ? 'pinned to CPU 0 one at a time, load on CPU 1' : 'NOT pinned'}`);
  const rows: Figures[] = [];
  for (const [count, matching] of SIZES) {
    const ours = onCore0(pinned, process.execPath, [SELF, '--server', String(count), String(matching), tlsFile]);
    const port = await new Promise<number>((resolve) => ours.once('message', (message: any) => resolve(message.port)));
    await measure(ours.pid!, `https://127.0.0.1:${port}/mutate-pod`, body, 2); // warm-up: JIT, TLS sessions
    rows.push({ sidecarSets: count, server: 'ours echo floor', ...(await measure(ours.pid!, `https://127.0.0.1:${port}/echo`, body, SECONDS)) });
    rows.push({ sidecarSets: count, server: 'ours /mutate-pod', ...(await measure(ours.pid!, `https://127.0.0.1:${port}/mutate-pod`, body, SECONDS)) });
    await stop(ours, true);

    const clusterFile = path.join(dir, `cluster-${count}.json`);
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: BENCH_NAMESPACE.name, labels: { 'kubernetes.io/metadata.name': BENCH_NAMESPACE.name, ...BENCH_NAMESPACE.labels } } };
    fs.writeFileSync(clusterFile, JSON.stringify({ sidecarSets: benchSidecarSetsRaw(count, matching), namespaces: [ns] }));
    const kruisePort = 20000 + Math.floor(Math.random() * 20000);
    const kruise = onCore0(pinned, oracle, ['serve', '--port', String(kruisePort), '--cert-dir', dir, '--cluster', clusterFile], { ...process.env, GOMAXPROCS: '1' });
    await waitForPort(kruisePort);
    await measure(kruise.pid!, `https://127.0.0.1:${kruisePort}/mutate-pod`, body, 2);
    rows.push({ sidecarSets: count, server: 'Kruise /mutate-pod', ...(await measure(kruise.pid!, `https://127.0.0.1:${kruisePort}/mutate-pod`, body, SECONDS)) });
    await stop(kruise, false);
  }
  console.table(rows);
  for (const [count, matching] of SIZES) {
    const row = (server: string): Figures => rows.find((r) => r.sidecarSets === count && r.server === server)!;
    const [floor, ours, kruise] = [row('ours echo floor'), row('ours /mutate-pod'), row('Kruise /mutate-pod')];
    console.log(
      `${count} SidecarSets (${matching} matching): throughput ours/Kruise ${(ours.requestsPerSecond / kruise.requestsPerSecond).toFixed(2)}x (goal >= 2x); ` +
        `CPU/request Kruise/ours ${(kruise.cpuMicrosPerRequest / ours.cpuMicrosPerRequest).toFixed(2)}x; ` +
        `ours vs echo floor: CPU ${(ours.cpuMicrosPerRequest / floor.cpuMicrosPerRequest).toFixed(2)}x, throughput ${(floor.requestsPerSecond / ours.requestsPerSecond).toFixed(2)}x (goal <= 1.15x)`,
    );
  }
}

if (process.argv[2] === '--server') await serveOurs(Number(process.argv[3]), Number(process.argv[4]), process.argv[5]);
else await main();
