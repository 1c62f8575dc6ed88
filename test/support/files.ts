// Small file-system helpers shared by the test tooling (control-plane harness, helm tools).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** ${XDG_CACHE_HOME:-~/.cache}/sidecarset/<parts...>: where the test tooling keeps the binaries it builds or fetches. */
export function sidecarsetCacheDir(...parts: string[]): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'sidecarset', ...parts);
}

/** A regular file this process may execute (a directory is searchable, not executable). */
export function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
