// Exponential backoff with jitter, shared by watch restarts and work-queue retries: jitter spreads
// replicas and keys apart so a recovering apiserver is not hit by synchronised retries.

export interface BackoffOptions {
  /** Delay of the first retry. */
  baseMs: number;
  /** Upper bound, jitter included. */
  maxMs: number;
  /** Relative spread around the nominal delay, 0..1 (default 0.2 = ±20 %). */
  jitter?: number;
}

/** Delay before retry number `attempt` (1-based). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const nominal = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  const jitter = options.jitter ?? 0.2;
  const spread = nominal * jitter * (2 * random() - 1);
  return Math.max(0, Math.min(options.maxMs, Math.round(nominal + spread)));
}
