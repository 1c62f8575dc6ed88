// SidecarSets built to hit super-linear paths of validation: selectors with tens of thousands of
// values and SidecarSets with tens of thousands of containers and volumes, about `bytes` of JSON each.
// Shared by the tests that bound the work and by the benchmark that prints the time.
import type { LabelSelector } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';

export const MiB = 1 << 20;

/** A selector on `app` (In) and `tier` (NotIn) with distinct values `<prefix>-<i>`, about `bytes` of JSON. */
export function hugeSelector(prefix: string, bytes: number): LabelSelector {
  // Each value costs about its length plus 8 (quotes, comma, tag, up to 5 digits).
  const count = Math.ceil(bytes / 2 / (prefix.length + 8));
  const values = (tag: string): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${tag}${i}`);
  return {
    matchExpressions: [
      { key: 'app', operator: 'In', values: values('a') },
      { key: 'tier', operator: 'NotIn', values: values('t') },
    ],
  };
}

/** A valid, defaulted SidecarSet with distinct `<prefix>-<i>` containers and volumes filling about `bytes`. */
export function crowdedSidecarSet(name: string, prefix: string, bytes: number, selector: LabelSelector = { matchLabels: { app: 'web' } }): SidecarSet {
  const count = Math.ceil(bytes / 300); // a defaulted container and its volume are about 300 characters
  return defaultSidecarSet({
    apiVersion: 'apps.kruise.io/v1alpha1',
    kind: 'SidecarSet',
    metadata: { name },
    spec: {
      selector,
      containers: Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i}`, image: 'busybox:1.36' })),
      volumes: Array.from({ length: count }, (_, i) => ({ name: `${prefix}-v${i}`, emptyDir: {} })),
    },
  });
}
