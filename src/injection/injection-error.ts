// Why a Pod cannot be injected. Kruise turns these into a refused Pod creation (docs/behaviour/injection.md).

/** What `sidecarset explain` tells apart: two SidecarSets adding one container, a pinned revision that is missing, the rest. */
export type RefusalReason = 'conflict' | 'revision-missing' | 'invalid';

export class InjectionError extends Error {
  readonly reason: RefusalReason;

  constructor(message: string, options?: ErrorOptions & { reason?: RefusalReason }) {
    super(message, options);
    this.name = 'InjectionError';
    this.reason = options?.reason ?? 'invalid';
  }
}
