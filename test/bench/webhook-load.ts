// Load on /mutate-pod over HTTPS keep-alive, next to a trivial echo route of the same server in the
// same run (the floor: TLS, HTTP, the review parsed and sent back, nothing else). A ~10 KB Pod review, 20 SidecarSets
// in the in-memory caches (3 of them match). Prints req/s, p50/p99 latency and the server's CPU time
// per request (process.cpuUsage() in the server process); no pass/fail.
//
//   node test/bench/webhook-load.ts [seconds per run = 10] [connections = 32]
//
// The server runs in a child process pinned to CPU 0 and autocannon in this one on CPU 1 (taskset),
// so "one core" means the server's. Targets: >= 8,000 req/s, CPU per request <= 1.5x the echo's.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { benchReview, benchSidecarSets } from '../support/bench-inputs.ts';
import { memoryClusterCaches, namespace } from '../support/memory-caches.ts';
import { startTestWebhookServer } from '../support/test-webhook-server.ts';
import { pinnable, pinToCore } from './cpu-pinning.ts';

const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = Number(process.argv[3] ?? 32);
const SELF = fileURLToPath(import.meta.url);

async function serve(): Promise<void> {
  const t = await startTestWebhookServer({
    logLevel: 'warn',
    caches: memoryClusterCaches({ sidecarSets: benchSidecarSets(20, 3), namespaces: [namespace('bench', { team: 'bench' })] }),
    // The floor: the same body parsed, and sent straight back.
    configure: (server) => server.app.post('/echo', (request, reply) => void reply.send(request.body)),
  });
  process.send!({ port: t.port });
  process.on('message', (message) => {
    if (message === 'cpu') process.send!({ cpu: process.cpuUsage() });
    if (message === 'handler') {
      void t.registry.getSingleMetric('sidecarset_webhook_admission_duration_seconds')!.get().then(({ values }) => {
        const of = (suffix: string): number => values.filter((v) => (v as { metricName?: string }).metricName === `sidecarset_webhook_admission_duration_seconds_${suffix}`).reduce((a, v) => a + v.value, 0);
        process.send!({ handler: (of('sum') / of('count')) * 1e6 });
      });
    }
    if (message === 'stop') void t.close().then(() => process.exit(0));
  });
}

function ask<T>(child: ChildProcess, message: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (reply: any): void => {
      if (reply && key in reply) {
        child.off('message', listener);
        resolve(reply[key]);
      }
    };
    child.on('message', listener);
    child.send(message);
  });
}

interface Figures {
  route: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  cpuMicrosPerRequest: number;
  errors: number;
}

async function measure(child: ChildProcess, port: number, path: string, body: string, seconds: number): Promise<Figures> {
  const before = await ask<NodeJS.CpuUsage>(child, 'cpu', 'cpu');
  const result = await autocannon({
    url: `https://127.0.0.1:${port}${path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: seconds,
  });
  const after = await ask<NodeJS.CpuUsage>(child, 'cpu', 'cpu');
  const cpu = after.user - before.user + (after.system - before.system);
  const completed = result.requests.total;
  return {
    route: path,
    requestsPerSecond: Math.round(completed / seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMicrosPerRequest: Math.round((cpu / completed) * 10) / 10,
    errors: result.errors + result.non2xx,
  };
}

async function main(): Promise<void> {
  const pinned = pinnable();
  if (pinned) pinToCore(process.pid, 1);
  const command = pinned ? 'taskset' : process.execPath;
  const args = pinned ? ['-c', '0', process.execPath, SELF, '--server'] : [SELF, '--server'];
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => child.once('message', (message: any) => resolve(message.port)));

  const body = JSON.stringify(benchReview());
  console.log(`review ${(body.length / 1024).toFixed(1)} KB, 20 SidecarSets (3 match), ${CONNECTIONS} connections, ${SECONDS} s per run, server ${pinned ? 'pinned to CPU 0' : 'not pinned'}`);
  await measure(child, port, '/echo', body, 2); // warm-up: JIT, TLS sessions
  await measure(child, port, '/mutate-pod', body, 2);
  const runs: Figures[] = [];
  for (let round = 0; round < 2; round++) {
    runs.push(await measure(child, port, '/echo', body, SECONDS));
    runs.push(await measure(child, port, '/mutate-pod', body, SECONDS));
  }
  console.table(runs);
  const mean = (route: string, key: keyof Figures): number => {
    const values = runs.filter((run) => run.route === route).map((run) => run[key] as number);
    return values.reduce((a, b) => a + b, 0) / values.length;
  };
  const pod = { rps: mean('/mutate-pod', 'requestsPerSecond'), cpu: mean('/mutate-pod', 'cpuMicrosPerRequest') };
  const echo = { rps: mean('/echo', 'requestsPerSecond'), cpu: mean('/echo', 'cpuMicrosPerRequest') };
  console.log(`/mutate-pod: ${Math.round(pod.rps)} req/s, ${pod.cpu.toFixed(1)} µs CPU/request`);
  console.log(`/echo (floor): ${Math.round(echo.rps)} req/s, ${echo.cpu.toFixed(1)} µs CPU/request`);
  console.log(`wall time inside the /mutate-pod handler (parsed review to reply, histogram mean): ${(await ask<number>(child, 'handler', 'handler')).toFixed(1)} µs`);
  console.log(`CPU per request, /mutate-pod vs floor: ${(pod.cpu / echo.cpu).toFixed(2)}x (target <= 1.5x); throughput target >= 8000 req/s`);
  child.send('stop');
}

if (process.argv[2] === '--server') await serve();
else await main();
