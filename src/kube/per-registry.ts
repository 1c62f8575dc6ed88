// Metrics are registered once per prom-client Registry: the webhook side, the caches and the
// controller each ask for theirs without coordinating, and a second ask returns the first set
// (registering a name twice would throw).
import type { Registry } from 'prom-client';

export function perRegistry<T>(create: (registers: Registry[]) => T): (registry: Registry) => T {
  const byRegistry = new WeakMap<Registry, T>();
  return (registry) => {
    let metrics = byRegistry.get(registry);
    if (metrics === undefined) {
      metrics = create([registry]);
      byRegistry.set(registry, metrics);
    }
    return metrics;
  };
}
