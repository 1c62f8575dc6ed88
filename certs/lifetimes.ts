// How long certificates live and how long a CA rotation keeps the old and new CA side by side.
// Every value is overridable so tests can rotate within seconds.

export interface Lifetimes {
  /** Validity of a self-signed CA. It is replaced two thirds into this span. */
  caMs: number;
  /** Validity of a serving certificate (never past its CA's). Renewed two thirds into it. */
  servingMs: number;
  /** notBefore is set this far in the past, so peers whose clocks lag still accept a fresh certificate. */
  backdateMs: number;
  /**
   * Wait between the steps of a CA rotation: after publishing the new CA in caBundle before serving
   * with it (lets every apiserver pick the bundle up), and after switching before dropping the old
   * CA (lets every replica reload). Must exceed the managers' check interval by a wide margin.
   */
  overlapMs: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const DEFAULT_LIFETIMES: Lifetimes = {
  caMs: 5 * 365 * DAY,
  servingMs: 90 * DAY,
  backdateMs: 60 * MINUTE,
  overlapMs: 60 * MINUTE,
};
