#!/usr/bin/env node
// The `sidecarset` command. Plain JavaScript that any Node.js can parse, so that an old Node says
// which version is needed instead of failing on the TypeScript sources (which need Node 24's type
// stripping).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);

if (major < REQUIRED_MAJOR) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  // A checkout's `node` devDependency provides Node 24 through its install script; with npm's
  // ignore-scripts that script never ran, and npm scripts fall back to the machine's node.
  const pinned = join(root, 'node_modules', 'node');
  const hint = existsSync(pinned) && !existsSync(join(pinned, 'bin', 'node'))
    ? "the `node` devDependency was installed without its install script (npm's ignore-scripts setting): " +
      'run `npm rebuild node --ignore-scripts=false` in ' + root + ', or install Node.js ' + REQUIRED_MAJOR
    : 'install Node.js ' + REQUIRED_MAJOR + ' or newer, or run `npm ci` in a checkout (its `node` devDependency provides it)';
  process.stderr.write('error: sidecarset needs Node.js ' + REQUIRED_MAJOR + ' or newer, but this is Node.js ' +
    process.version + ' (' + process.execPath + '); ' + hint + '\n');
  process.exit(1);
}

await import('../src/cli/main.ts');
