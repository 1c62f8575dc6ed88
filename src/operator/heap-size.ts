// The V8 heap sized from the container's memory limit. Node sizes its heap from the cgroup limit
// too, but to about half of it; the operator wants a known share, leaving the rest to what lives
// outside the heap (TLS and socket buffers of up to a thousand connections, code, the runtime).
// The chart passes --max-old-space-size in NODE_OPTIONS; without one, `serve` reads the limit
// and runs itself again with the flag (a V8 heap cannot be resized once started).
import { spawn } from 'node:child_process';
import { totalmem } from 'node:os';

export const HEAP_SHARE_OF_MEMORY_LIMIT = 0.6;
const MiB = 1024 * 1024;

/** The flag to add, or undefined when the heap size is already told or no memory limit applies. */
export function heapSizeFlag(memoryLimitBytes: number, totalMemoryBytes: number, execArgv: readonly string[], nodeOptions: string | undefined): string | undefined {
  const told = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((arg) => /^--max[-_]old[-_]space[-_]size/.test(arg));
  if (told) return undefined;
  if (!(memoryLimitBytes > 0 && memoryLimitBytes < totalMemoryBytes)) return undefined;
  return `--max-old-space-size=${Math.floor((memoryLimitBytes * HEAP_SHARE_OF_MEMORY_LIMIT) / MiB)}`;
}

/** The flag this process needs (process.constrainedMemory() is the cgroup limit, or huge when there is none). */
export function missingHeapSizeFlag(): string | undefined {
  return heapSizeFlag(process.constrainedMemory(), totalmem(), process.execArgv, process.env.NODE_OPTIONS);
}

/** Runs this same command again with `flag`, forwarding SIGTERM and SIGINT; resolves with its exit code. */
export function rerunWith(flag: string): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, flag, ...process.argv.slice(1)], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGTERM', forward('SIGTERM'));
  process.on('SIGINT', forward('SIGINT'));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
  });
}
