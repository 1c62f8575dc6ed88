// The Go toolchain as the test tooling's builds use it (control-plane binaries, the Kruise oracle):
// found on PATH or in /usr/local/go/bin, never allowed to fetch a toolchain or edit go.mod.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export function findGo(): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat('/usr/local/go/bin')) {
    const p = path.join(dir, 'go');
    if (dir && fs.existsSync(p)) return p;
  }
  throw new Error('no `go` toolchain found (PATH or /usr/local/go/bin); Go >= 1.26 is required');
}

/** The environment of a reproducible build from a committed go.mod/go.sum. */
export function goBuildEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOTOOLCHAIN: 'local', // a too-new `go` line must fail, not download a toolchain
    CGO_ENABLED: '0',
    // go.sum is committed and complete: never edit go.mod, never ask the checksum DB.
    GOFLAGS: '-mod=readonly -buildvcs=false',
  };
}

/** Runs a command in `cwd` with inherited output; rejects on a non-zero exit. */
export function runInherited(cmd: string, argv: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, sig) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${argv.join(' ')} failed (${code ?? sig})`))));
  });
}
