// The controller as a component of the operator process (src/operator/operator.ts): `sidecarset serve`
// passes `controller: controllerComponent`, so the controller shares the webhook's caches and
// follows the serve flags.
import type { Component, OperatorContext } from './operator.ts';
import { startController, type Controller } from '../../controllers/controller.ts';

export function controllerComponent(context: OperatorContext): Component & Controller {
  const { settings } = context;
  return startController({
    kubeConfig: context.kubeConfig,
    namespace: settings.namespace,
    caches: context.caches,
    logger: context.log,
    registry: context.registry,
    workers: settings.workers,
    driftExcludedNamespaces: ['kube-system', settings.namespace, ...settings.excludedNamespaces],
    leaderElection: {
      enabled: settings.leaderElect,
      leaseName: settings.leaderElectionId,
      leaseDurationMs: settings.leaseDurationMs,
      renewDeadlineMs: settings.renewDeadlineMs,
      retryPeriodMs: settings.retryPeriodMs,
    },
  });
}
