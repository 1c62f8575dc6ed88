// Expectations for the upgrade's own Pod writes: a Pod written is "in flight" until the cache shows
// our write. resourceVersions are etcd revisions: when both parse as integers the cache has caught
// up once it holds our write's version or a later one; otherwise (an apiserver with opaque versions)
// once it shows any version other than the one the write replaced. An expectation the cache never
// satisfies (Pod deleted, watch stuck) expires; the next write's resourceVersion test still guards.
import type { Pod } from '../api/core.ts';

export const DEFAULT_EXPECTATION_TIMEOUT_MS = 60_000;

const keyOf = (pod: Pod) => `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
const INTEGER = /^\d+$/;

interface Expectation {
  replaced: string;
  written: string;
  at: number;
}

function caughtUp(cached: string, expectation: Expectation): boolean {
  if (INTEGER.test(cached) && INTEGER.test(expectation.written)) return BigInt(cached) >= BigInt(expectation.written);
  return cached !== expectation.replaced;
}

export class WriteExpectations {
  readonly #expected = new Map<string, Expectation>();
  readonly #timeoutMs: number;

  constructor(timeoutMs = DEFAULT_EXPECTATION_TIMEOUT_MS) {
    this.#timeoutMs = timeoutMs;
  }

  /** Records a successful write over `before` (the Pod as written over) that produced `writtenResourceVersion`. */
  expect(before: Pod, writtenResourceVersion: string, now: number): void {
    this.#expected.set(keyOf(before), { replaced: before.metadata.resourceVersion ?? '', written: writtenResourceVersion, at: now });
  }

  /** Whether the cached Pod does not show our write yet; a satisfied or expired expectation is dropped. */
  inFlight(cached: Pod, now: number): boolean {
    const key = keyOf(cached);
    const expectation = this.#expected.get(key);
    if (!expectation) return false;
    if (!caughtUp(cached.metadata.resourceVersion ?? '', expectation) && now - expectation.at < this.#timeoutMs) return true;
    this.#expected.delete(key);
    return false;
  }
}
