// What the apiserver benchmarks share: a control plane sized for bursts, bounded concurrency, and
// heap measured after full collections.
import * as v8 from 'node:v8';
import { setTimeout } from 'node:timers/promises';
import * as vm from 'node:vm';
import { BUILD_HINT, binariesAvailable, startControlPlane, type ControlPlane, type StartOptions } from '../control-plane/harness.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Heap in use after full collections. It first lets the event loop turn: a watch that has just been
 * stopped is released only then, and measured earlier it would count against the next sample.
 */
export async function heapAfterGc(): Promise<number> {
  await setTimeout(50);
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function inBatches<T>(items: T[], work: (item: T) => Promise<unknown>, concurrency = 64): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

/**
 * Runs a benchmark on a control plane with the CRDs installed (and raised in-flight limits), with
 * simulated nodes if `cluster` asks for them, or says why it is skipped.
 */
export async function withBenchControlPlane(run: (cp: ControlPlane) => Promise<void>, cluster: Pick<StartOptions, 'nodes' | 'containerReadyDelayMs'> = {}): Promise<void> {
  if (!binariesAvailable()) {
    console.log(`skipped: ${BUILD_HINT}`);
    return;
  }
  const cp = await startControlPlane({ ...cluster, handleSignals: true, quiet: true, extraApiserverArgs: ['--max-requests-inflight=2000', '--max-mutating-requests-inflight=1000'] });
  try {
    await cp.installCRDs();
    await run(cp);
  } finally {
    await cp.stop();
  }
}
