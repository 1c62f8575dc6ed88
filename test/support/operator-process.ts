// `sidecarset serve` in a child process for the shutdown tests, with in-memory caches instead of
// an apiserver: argv[2] is the cert dir, argv[3] the drain in ms. Prints `READY <ports JSON>` on
// stderr once listening, then runs the serve command's own signal handling.
import { KubeConfig } from '@kubernetes/client-node';
import { runUntilSignal } from '../../src/operator/serve-command.ts';
import { startOperator } from '../../src/operator/operator.ts';
import { memoryClusterCaches, namespace } from './memory-caches.ts';

const [certDir, drainMs] = process.argv.slice(2);
const operator = await startOperator({
  kubeConfig: new KubeConfig(),
  caches: memoryClusterCaches({ namespaces: [namespace('default')] }),
  certDir,
  certMode: 'external',
  shutdownDrainMs: Number(drainMs),
  port: 0,
  metricsPort: 0,
  bindAddress: '127.0.0.1',
  logLevel: 'info',
});
process.stderr.write(`READY ${JSON.stringify(operator.ports)}\n`);
process.exitCode = await runUntilSignal(operator);
