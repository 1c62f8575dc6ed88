// A keyed work queue in the manner of client-go's: a key is queued at most once, a key added
// while it is being processed runs again afterwards (never twice at once), failures retry with
// per-key exponential backoff, and at most `workers` keys are processed concurrently. Events
// only ever enqueue keys; the handler reads current state, so N events cost one reconcile.
import { backoffDelay, type BackoffOptions } from '../src/kube/backoff.ts';
import { errorFields, type Logger } from '../src/kube/logger.ts';

export interface ProcessResult {
  /** Process the key again after this delay (not counted as a failure). */
  requeueAfterMs?: number;
}

export type KeyHandler = (key: string, signal: AbortSignal) => Promise<ProcessResult | void>;

export interface WorkQueueOptions {
  handler: KeyHandler;
  logger: Logger;
  /** Keys processed at once. Default 3 (Kruise's --sidecarset-workers). */
  workers?: number;
  /** Retry delays after a handler error. Default 100 ms doubling to 60 s, ±20 %. */
  backoff?: BackoffOptions;
  /** Told the number of waiting keys whenever it changes (for a gauge). */
  onDepth?: (depth: number) => void;
}

export interface WorkQueue {
  add(key: string): void;
  /** Adds the key after a delay; a pending earlier delayed add of the same key wins. */
  addAfter(key: string, delayMs: number): void;
  /**
   * Stops accepting keys and drops delayed ones. With `drain` (default) the queued keys are still
   * processed; without it they are dropped and in-flight handlers see their signal aborted.
   * Resolves once no handler runs.
   */
  shutdown(options?: { drain?: boolean }): Promise<void>;
}

const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 100, maxMs: 60_000 };

export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  const workers = Math.max(1, options.workers ?? 3);
  const queued = new Set<string>(); // insertion-ordered: FIFO without duplicates
  const processing = new Set<string>();
  const again = new Set<string>(); // added while processing: run once more afterwards
  const delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  const failures = new Map<string, number>();
  const abort = new AbortController();
  let shuttingDown = false;
  let idleWaiters: (() => void)[] = [];

  const reportDepth = (): void => options.onDepth?.(queued.size);

  const add = (key: string): void => {
    if (shuttingDown) return;
    if (processing.has(key)) {
      again.add(key);
      return;
    }
    if (queued.has(key)) return;
    queued.add(key);
    reportDepth();
    pump();
  };

  const addAfter = (key: string, delayMs: number): void => {
    if (shuttingDown) return;
    if (delayMs <= 0) return add(key);
    const at = Date.now() + delayMs;
    const pending = delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      delayed.delete(key);
      add(key);
    }, delayMs);
    delayed.set(key, { at, timer });
  };

  const pump = (): void => {
    while (processing.size < workers && queued.size > 0) {
      const key = queued.values().next().value as string;
      queued.delete(key);
      processing.add(key);
      void run(key);
    }
    reportDepth();
    if (processing.size === 0 && (queued.size === 0 || abort.signal.aborted)) {
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  };

  const run = async (key: string): Promise<void> => {
    try {
      const result = await options.handler(key, abort.signal);
      failures.delete(key);
      if (result?.requeueAfterMs !== undefined) addAfter(key, result.requeueAfterMs);
    } catch (err) {
      const attempt = (failures.get(key) ?? 0) + 1;
      failures.set(key, attempt);
      const delayMs = backoffDelay(attempt, options.backoff ?? DEFAULT_BACKOFF);
      options.logger.warn({ key, attempt, retryInMs: delayMs, ...errorFields(err) }, 'processing failed, will retry');
      addAfter(key, delayMs);
    } finally {
      processing.delete(key);
      if (again.delete(key) && !shuttingDown) queued.add(key);
      pump();
    }
  };

  return {
    add,
    addAfter,
    shutdown: (shutdownOptions = {}) => {
      shuttingDown = true;
      for (const { timer } of delayed.values()) clearTimeout(timer);
      delayed.clear();
      again.clear();
      if (shutdownOptions.drain === false) {
        queued.clear();
        abort.abort(new Error('work queue shut down'));
      }
      const idle = new Promise<void>((resolve) => idleWaiters.push(resolve));
      pump();
      return idle;
    },
  };
}
