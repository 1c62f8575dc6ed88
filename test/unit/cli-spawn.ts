// Runs the real CLI (`node bin/sidecarset.js ...`, the launcher `npx sidecarset` runs) in a child process for the CLI tests.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { temporaryDirectory } from '../support/temporary-directory.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NODE = path.join(REPO_ROOT, 'node_modules/.bin/node');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], stdin = ''): CliResult {
  const result = spawnSync(NODE, ['bin/sidecarset.js', ...args], { cwd: REPO_ROOT, input: stdin, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Writes files into a fresh temporary directory and returns their paths by name. */
export function temporaryFiles(files: Record<string, string>): Record<string, string> {
  const directory = temporaryDirectory('sidecarset-cli-');
  return Object.fromEntries(
    Object.entries(files).map(([name, content]) => {
      const file = path.join(directory, name);
      writeFileSync(file, content);
      return [name, file];
    }),
  );
}
