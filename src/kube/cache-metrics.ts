// Prometheus metrics of the list+watch caches, on the Registry the operator exposes at /metrics.
import { Counter, Gauge } from 'prom-client';
import { perRegistry } from './per-registry.ts';

export interface WatchMetrics {
  restarts: Counter<'cache' | 'reason'>;
  synced: Gauge<'cache'>;
  objects: Gauge<'cache'>;
}

export const createWatchMetrics = perRegistry(
  (registers): WatchMetrics => ({
    restarts: new Counter({ name: 'sidecarset_watch_restarts_total', help: 'Watch restarts, by cache and reason (error, inactivity, gone, closed).', labelNames: ['cache', 'reason'], registers }),
    synced: new Gauge({ name: 'sidecarset_watch_synced', help: '1 once the cache has completed its first list.', labelNames: ['cache'], registers }),
    objects: new Gauge({ name: 'sidecarset_watch_objects', help: 'Objects held by the cache.', labelNames: ['cache'], registers }),
  }),
);
