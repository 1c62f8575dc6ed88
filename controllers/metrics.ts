// Prometheus metrics of the caches and the controller, registered on the Registry the server
// exposes at /metrics. Creating them twice for one registry returns the same set, so the webhook
// side and the controller side can both ask for them without coordinating.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface WatchMetrics {
  restarts: Counter<'cache' | 'reason'>;
  synced: Gauge<'cache'>;
  objects: Gauge<'cache'>;
}

export interface ControllerMetrics {
  watch: WatchMetrics;
  reconciles: Counter<'result'>;
  reconcileDuration: Histogram<'result'>;
  queueDepth: Gauge;
  leader: Gauge;
  statusWrites: Counter<'result'>;
  podsNotInjected: Gauge<'sidecarset'>;
}

const byRegistry = new WeakMap<Registry, ControllerMetrics>();

export function createControllerMetrics(registry: Registry): ControllerMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: ControllerMetrics = {
    watch: {
      restarts: new Counter({ name: 'sidecarset_watch_restarts_total', help: 'Watch restarts, by cache and reason (error, inactivity, gone, closed).', labelNames: ['cache', 'reason'], registers }),
      synced: new Gauge({ name: 'sidecarset_watch_synced', help: '1 once the cache has completed its first list.', labelNames: ['cache'], registers }),
      objects: new Gauge({ name: 'sidecarset_watch_objects', help: 'Objects held by the cache.', labelNames: ['cache'], registers }),
    },
    reconciles: new Counter({ name: 'sidecarset_controller_reconcile_total', help: 'SidecarSet reconciles, by result (success, error, notfound, aborted).', labelNames: ['result'], registers }),
    reconcileDuration: new Histogram({
      name: 'sidecarset_controller_reconcile_duration_seconds',
      help: 'Duration of SidecarSet reconciles, by result.',
      labelNames: ['result'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
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
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
