// Benchmarks that compare a server with its load generator pin each to its own core when they can,
// so the two do not compete for one; elsewhere they run unpinned and say so.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

/** Whether `taskset` works here and there are two cores to give out. */
export function pinnable(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return cpus().length >= 2;
  } catch {
    return false;
  }
}

/** Pins the process `pid` to core `core`. */
export function pinToCore(pid: number, core: number): void {
  execFileSync('taskset', ['-cp', String(core), String(pid)], { stdio: 'ignore' });
}
