// Reads Kubernetes objects from files or stdin for the CLI: several YAML documents per file, and
// `kind: List` (or any `*List` with items) flattened. Every failure becomes one InputError line.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export type KubeObject = Record<string, unknown> & { kind?: string; apiVersion?: string; metadata?: Record<string, unknown> };

async function readText(file: string): Promise<string> {
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    }
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new InputError(`${displayName(file)}: cannot read: ${reason}`);
  }
}

/** How messages name a file: `-` is stdin. */
export const displayName = (file: string): string => (file === '-' ? '<stdin>' : file);

/** Parses YAML or JSON text holding one or more objects. */
export function parseObjects(text: string, file: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      const first = document.errors[0];
      const line = first.linePos?.[0]?.line;
      throw new InputError(`${displayName(file)}${line ? `:${line}` : ''}: malformed YAML: ${first.message.split('\n')[0]}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new InputError(`${displayName(file)}: expected a Kubernetes object, found ${Array.isArray(value) ? 'a list' : typeof value}`);
    }
    const object = value as KubeObject;
    if (typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items)) {
      for (const item of object.items as unknown[]) {
        if (item === null || typeof item !== 'object' || Array.isArray(item)) {
          throw new InputError(`${displayName(file)}: every item of a ${object.kind} must be an object`);
        }
        objects.push(item as KubeObject);
      }
    } else {
      objects.push(object);
    }
  }
  return objects;
}

export async function readObjects(file: string): Promise<KubeObject[]> {
  return parseObjects(await readText(file), file);
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Reads files and directories as `kubectl apply -f` does: a directory stands for its .yaml, .yml and
 * .json files (not its subdirectories), in name order, which is the order kubectl applies them in.
 */
export async function readPaths(paths: readonly string[]): Promise<KubeObject[]> {
  const objects: KubeObject[] = [];
  for (const given of paths) {
    let files = [given];
    if (given !== '-' && (await stat(given).catch(() => undefined))?.isDirectory()) {
      const entries = await readdir(given, { withFileTypes: true });
      files = entries.filter((entry) => entry.isFile() && MANIFEST_EXTENSIONS.has(path.extname(entry.name))).map((entry) => path.join(given, entry.name)).sort();
    }
    for (const file of files) objects.push(...(await readObjects(file)));
  }
  return objects;
}

/** Empty input is a mistake (a wrong path, an empty pipe), never "nothing to do". */
export function requireObjects<T>(objects: readonly T[], paths: readonly string[], what = 'objects'): void {
  if (objects.length === 0) throw new InputError(`${paths.map(displayName).join(', ')}: no ${what} found`);
}

/** Throws the InputError of an object of another kind than expected. */
export function requireKind(object: KubeObject, kind: string, file: string): void {
  if (object.kind !== kind) {
    throw new InputError(`${displayName(file)}: expected kind ${kind}, found ${object.kind === undefined ? 'no kind' : `kind ${String(object.kind)}`}`);
  }
}

/** Reads every file and requires each object to be of the given kind. */
export async function readObjectsOfKind(files: readonly string[], kind: string): Promise<KubeObject[]> {
  const all: KubeObject[] = [];
  for (const file of files) {
    for (const object of await readObjects(file)) {
      requireKind(object, kind, file);
      all.push(object);
    }
  }
  return all;
}

export type OutputFormat = 'yaml' | 'json';

export function outputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === 'yaml') return 'yaml';
  if (value === 'json') return 'json';
  throw new InputError(`-o: unsupported output format "${value}" (use yaml or json)`);
}

/** Renders objects: YAML documents separated by `---`, or JSON (one object, or a List of several). */
export function render(objects: readonly unknown[], format: OutputFormat): string {
  if (format === 'json') {
    const value = objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects };
    return `${JSON.stringify(value, null, 2)}\n`;
  }
  // No anchors and aliases for objects that share parts (e.g. env vars copied into several containers).
  return objects.map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
