// Expectations for the upgrade's own Pod writes: a Pod written is "in flight" until the cache shows
// a version other than the one the write replaced. Writes to one object are totally ordered and
// ours was guarded by a test of the replaced resourceVersion, so any other version the cache shows
// includes our write. An expectation the cache never satisfies (Pod deleted, watch stuck) expires,
// after which the next write's resourceVersion test guards against acting on stale data.
import type { Pod } from '../api/core.ts';

export const DEFAULT_EXPECTATION_TIMEOUT_MS = 60_000;

const keyOf = (pod: Pod) => `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;

export class WriteExpectations {
  readonly #replaced = new Map<string, { resourceVersion: string; at: number }>();
  readonly #timeoutMs: number;

  constructor(timeoutMs = DEFAULT_EXPECTATION_TIMEOUT_MS) {
    this.#timeoutMs = timeoutMs;
  }

  /** Records a successful write over `before` (the Pod as it was when written). */
  expect(before: Pod, now: number): void {
    this.#replaced.set(keyOf(before), { resourceVersion: before.metadata.resourceVersion ?? '', at: now });
  }

  /** Whether the cached Pod still predates our write; a satisfied or expired expectation is dropped. */
  inFlight(cached: Pod, now: number): boolean {
    const key = keyOf(cached);
    const expectation = this.#replaced.get(key);
    if (!expectation) return false;
    if (expectation.resourceVersion === (cached.metadata.resourceVersion ?? '') && now - expectation.at < this.#timeoutMs) return true;
    this.#replaced.delete(key);
    return false;
  }

  forget(pod: Pod): void {
    this.#replaced.delete(keyOf(pod));
  }

  size(): number {
    return this.#replaced.size;
  }
}
