// Prometheus metrics of the SidecarSet controller, on the Registry the operator exposes at /metrics.
import { Counter, Gauge, Histogram } from 'prom-client';
import { createWatchMetrics, type WatchMetrics } from '../src/kube/cache-metrics.ts';
import { perRegistry } from '../src/kube/per-registry.ts';

export interface ControllerMetrics {
  watch: WatchMetrics;
  reconciles: Counter<'result'>;
  reconcileDuration: Histogram<'result'>;
  reconcilePanics: Counter;
  queueDepth: Gauge;
  leader: Gauge;
  statusWrites: Counter<'result'>;
  podsNotInjected: Gauge<'sidecarset'>;
  upgradeWrites: Counter<'kind' | 'result'>;
  upgradeResets: Counter<'result'>;
  upgradeStalledPods: Gauge<'sidecarset'>;
}

export const createControllerMetrics = perRegistry((registers): ControllerMetrics => {
  const [registry] = registers;
  return {
    watch: createWatchMetrics(registry),
    reconciles: new Counter({ name: 'sidecarset_controller_reconcile_total', help: 'SidecarSet reconciles, by result (success, error, notfound, aborted).', labelNames: ['result'], registers }),
    reconcileDuration: new Histogram({
      name: 'sidecarset_controller_reconcile_duration_seconds',
      help: 'Duration of SidecarSet reconciles, by result.',
      labelNames: ['result'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
    reconcilePanics: new Counter({
      name: 'sidecarset_controller_reconcile_panics_total',
      help: 'Reconciles that threw an exception other than an API or network error (a bug); contained, retried, and also counted as result=error.',
      registers,
    }),
    queueDepth: new Gauge({ name: 'sidecarset_controller_queue_depth', help: 'SidecarSet keys waiting in the work queue.', registers }),
    leader: new Gauge({ name: 'sidecarset_controller_leader', help: '1 while this replica holds the leader lease.', registers }),
    statusWrites: new Counter({ name: 'sidecarset_controller_status_writes_total', help: 'SidecarSet status writes, by result (written, conflict, error).', labelNames: ['result'], registers }),
    podsNotInjected: new Gauge({
      name: 'sidecarset_pods_not_injected',
      help: 'Active Pods selected by a SidecarSet (namespace and selector) that do not carry its injection.',
      labelNames: ['sidecarset'],
      registers,
    }),
    upgradeWrites: new Counter({
      name: 'sidecarset_upgrade_pod_writes_total',
      help: 'Pod writes of the in-place upgrade, by kind (pod: the image patch; pod-status: condition and upgrade state) and result (written, conflict, refused by another webhook, error).',
      labelNames: ['kind', 'result'],
      registers,
    }),
    upgradeResets: new Counter({ name: 'sidecarset_upgrade_hot_resets_total', help: 'Hot-upgrade idle halves reset to the empty image, by result (succeeded, failed).', labelNames: ['result'], registers }),
    upgradeStalledPods: new Gauge({
      name: 'sidecarset_upgrade_stalled_pods',
      help: 'Pods updated to the current sidecars but still not ready past the SidecarSet upgrade stall deadline.',
      labelNames: ['sidecarset'],
      registers,
    }),
  };
});
