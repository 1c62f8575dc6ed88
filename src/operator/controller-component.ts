// The SidecarSet controller and the in-place upgrade controller as a component of the operator process (src/operator/operator.ts):
// `sidecarset serve` passes `controller: controllerComponent`, so the controller shares the
// webhook's caches, runs as a leader runnable of the process's manager and follows the serve flags.
import { createSidecarSetController } from '../../controllers/controller.ts';
import { createUpgradeController } from '../../controllers/upgrade-controller.ts';
import type { Runnable } from '../kube/manager.ts';
import { neverInjectedNamespaces, type OperatorContext } from './operator.ts';

export interface ControllerComponent extends Runnable {
  /** The caches the controller reads have listed once. */
  ready(): boolean;
  isLeader(): boolean;
}

export function controllerComponent(context: OperatorContext): ControllerComponent {
  const { settings, manager } = context;
  const controller = createSidecarSetController({
    kubeConfig: context.kubeConfig,
    namespace: settings.namespace,
    caches: context.caches,
    logger: context.log,
    registry: context.registry,
    identity: manager.identity,
    workers: settings.workers,
    driftExcludedNamespaces: neverInjectedNamespaces(settings),
  });
  manager.addLeaderRunnable('sidecarset-controller', controller);
  manager.addLeaderRunnable(
    'sidecarset-upgrade',
    createUpgradeController({ kubeConfig: context.kubeConfig, caches: context.caches, logger: context.log, registry: context.registry, identity: manager.identity, workers: settings.workers }),
  );
  // The manager stops leader runnables itself (resign), before any other part.
  return { stop: async () => {}, ready: controller.ready, isLeader: manager.isLeader };
}
