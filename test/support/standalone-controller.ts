// The SidecarSet controller on a manager of its own, without the webhooks: what the controller's
// integration tests and benchmark run. Creates its own caches unless given some.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { createSidecarSetController } from '../../controllers/controller.ts';
import { createWatchMetrics } from '../../src/kube/cache-metrics.ts';
import { createClusterCaches, type ControllerCaches } from '../../src/kube/caches.ts';
import type { Logger } from '../../src/kube/logger.ts';
import { createManager, type LeaderElectionSettings } from '../../src/kube/manager.ts';

export interface StandaloneControllerOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  caches?: ControllerCaches;
  logger: Logger;
  registry: Registry;
  workers?: number;
  leaderElection?: LeaderElectionSettings & { identity?: string };
}

export interface Controller {
  stop(): Promise<void>;
  ready(): boolean;
  isLeader(): boolean;
}

export function startController(options: StandaloneControllerOptions): Controller {
  const ownCaches = options.caches ? undefined : createClusterCaches(options.kubeConfig, options.namespace, options.logger, createWatchMetrics(options.registry));
  ownCaches?.start();
  const manager = createManager({ kubeConfig: options.kubeConfig, namespace: options.namespace, logger: options.logger, leaderElection: options.leaderElection, identity: options.leaderElection?.identity });
  const controller = createSidecarSetController({ ...options, caches: options.caches ?? ownCaches!, identity: manager.identity });
  manager.addLeaderRunnable('sidecarset-controller', controller);
  manager.elect();
  return {
    stop: async () => {
      await manager.stop();
      await ownCaches?.stop();
    },
    ready: controller.ready,
    isLeader: manager.isLeader,
  };
}
