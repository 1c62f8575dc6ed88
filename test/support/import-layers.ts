// The layer rule of the source tree (README "Layout", docs/architecture.md), as data, and a check
// that reads every source file's imports (static, re-exports, dynamic `import('...')`) and reports
// each one that runs the wrong way.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export type Layer = 'core' | 'runtime' | 'webhooks' | 'controllers' | 'certs' | 'root' | 'cli';

export const SOURCE_FOLDERS = ['src', 'webhooks', 'controllers', 'certs'];

/** Which layer a repository-relative path belongs to; undefined outside the source folders (tests, scripts). */
export function layerOf(file: string): Layer | undefined {
  const [top, second] = file.split('/');
  if (top === 'webhooks' || top === 'controllers' || top === 'certs') return top;
  if (top !== 'src') return undefined;
  if (second === 'kube') return 'runtime';
  if (second === 'operator') return 'root';
  if (second === 'cli') return 'cli';
  return 'core';
}

const SHELLS: Layer[] = ['webhooks', 'controllers', 'certs'];

/** What each layer may import statically. */
const STATIC: Record<Layer, readonly Layer[]> = {
  core: ['core'],
  runtime: ['core', 'runtime'],
  webhooks: ['core', 'runtime', 'webhooks'],
  controllers: ['core', 'runtime', 'controllers'],
  certs: ['core', 'runtime', 'certs'],
  // The root's commands use the CLI frame (Command, InputError, durations).
  root: ['core', 'runtime', ...SHELLS, 'root', 'cli'],
  cli: ['core', 'cli'],
};

/** What each layer may also load lazily: the CLI loads the root's commands only when they run. */
const DYNAMIC: Partial<Record<Layer, readonly Layer[]>> = { cli: ['root'] };

/** Packages the core may use: none of them does I/O. */
const CORE_PACKAGES = new Set(['yaml', 'ajv', 'ajv-formats', 're2js', 'node:crypto', 'node:util']);

export interface Import {
  file: string;
  specifier: string;
  dynamic: boolean;
}

/** Comments removed, string literals kept, so that a commented-out import does not count and a string that looks like a comment is not cut. */
function withoutComments(source: string): string {
  return source.replace(/("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (match, literal) => literal ?? '');
}

export function importsOf(file: string, source: string): Import[] {
  const code = withoutComments(source);
  const found: Import[] = [];
  for (const match of code.matchAll(/(?:^|[\s;}])(?:import|export)\s[^'"`;]*?\bfrom\s*(['"])([^'"]+)\1/g)) found.push({ file, specifier: match[2], dynamic: false });
  for (const match of code.matchAll(/(?:^|[\s;}])import\s*(['"])([^'"]+)\1/g)) found.push({ file, specifier: match[2], dynamic: false });
  for (const match of code.matchAll(/\bimport\s*\(\s*([^)]*)\)/g)) {
    const literal = /^(['"])([^'"]+)\1$/.exec(match[1].trim());
    // A computed specifier cannot be checked, so it is not allowed.
    found.push({ file, specifier: literal ? literal[2] : `<computed: ${match[1].trim()}>`, dynamic: true });
  }
  return found;
}

function sourceFiles(root: string, folder: string): string[] {
  const files: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts')) files.push(child);
    }
  };
  try {
    walk(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return files;
}

/** Every import of the tree under `root` that breaks the rule, as `file: specifier (reason)`, sorted. */
export function layerViolations(root: string): string[] {
  const violations: string[] = [];
  for (const file of SOURCE_FOLDERS.flatMap((folder) => sourceFiles(root, folder))) {
    const from = layerOf(file)!;
    for (const { specifier, dynamic } of importsOf(file, readFileSync(path.join(root, file), 'utf8'))) {
      const kind = dynamic ? 'import()' : 'import';
      if (specifier.startsWith('<computed')) {
        violations.push(`${file}: ${specifier} (a computed import cannot be checked)`);
        continue;
      }
      if (!specifier.startsWith('.')) {
        if (from === 'core' && !CORE_PACKAGES.has(specifier)) violations.push(`${file}: ${specifier} (the core does no I/O: package not allowed)`);
        continue;
      }
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      const to = layerOf(target);
      const allowed = [...STATIC[from], ...(dynamic ? (DYNAMIC[from] ?? []) : [])];
      if (to === undefined) violations.push(`${file}: ${specifier} (${kind} of ${target}, outside the source folders)`);
      else if (!allowed.includes(to)) violations.push(`${file}: ${specifier} (${kind} from ${from} into ${to})`);
    }
  }
  return violations.sort();
}
