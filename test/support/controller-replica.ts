// One operator replica's controllers (status and in-place upgrade) in a child process, under leader
// election, for failover tests: argv[2] the kubeconfig file, argv[3] the operator namespace, argv[4]
// the Lease name. Prints `LEADING` on stderr when it starts leading and `RELEASED` when it gives the
// Lease up (SIGTERM); a test may SIGKILL it.
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { createSidecarSetController } from '../../controllers/controller.ts';
import { createUpgradeController } from '../../controllers/upgrade-controller.ts';
import { createWatchMetrics } from '../../src/kube/cache-metrics.ts';
import { createClusterCaches } from '../../src/kube/caches.ts';
import type { Logger } from '../../src/kube/logger.ts';
import { createManager } from '../../src/kube/manager.ts';

const [kubeconfig, namespace, leaseName] = process.argv.slice(2);
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfig);
const logger: Logger = {
  debug() {},
  info: (obj, msg) => {
    if (msg === 'upgrading') process.stderr.write('LEADING\n');
    if (msg === 'released lease') process.stderr.write('RELEASED\n');
  },
  warn() {},
  error: (obj, msg) => process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`),
  child: () => logger,
};
const registry = new Registry();
const caches = createClusterCaches(kubeConfig, namespace, logger, createWatchMetrics(registry));
caches.start();
const manager = createManager({ kubeConfig, namespace, logger, leaderElection: { leaseName, leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 } });
manager.addLeaderRunnable('sidecarset-controller', createSidecarSetController({ kubeConfig, namespace, caches, logger, registry, identity: manager.identity }));
manager.addLeaderRunnable('sidecarset-upgrade', createUpgradeController({ kubeConfig, caches, logger, registry, identity: manager.identity }));
manager.elect();
process.on('SIGTERM', () => void manager.stop().then(() => caches.stop()).then(() => process.exit(0)));
