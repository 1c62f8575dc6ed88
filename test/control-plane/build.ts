// `npm run control-plane:build`: build every binary the local cluster runs from Go modules into
// ${XDG_CACHE_HOME:-~/.cache}/sidecarset/k8s/<version>/, only those missing.
//
// Only package registries are reachable from our machines (no dl.k8s.io, no GitHub releases),
// so the binaries are compiled from two tools modules next to this file, whose committed go.sum
// files pin every dependency: tools/ (kube-apiserver, etcd, kube-controller-manager,
// kube-scheduler, kubectl: one k8s.io/kubernetes version, one build cache) and kwok-tools/ (kwok
// requires other k8s.io versions). Each module is one `go build` of all its missing binaries, so
// Go compiles shared packages once and links in parallel.
// Flags: --force (rebuild), --check (exit 1 if missing, no build).

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findGo, goBuildEnv } from '../support/go-toolchain.ts';
import { BINARIES, COLD_BUILD_MINUTES, K8S_VERSION, KWOK_VERSION, cacheDir, locateBinaries } from './harness.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

interface GoModule {
  dir: string;
  /** The version go.mod must pin for `requirement`, so the cache key tells the truth. */
  requirement: string;
  version: string;
  ldflags: string;
  /** Binary name -> Go package. */
  targets: Record<string, string>;
}

function k8sStamp(): string {
  const [major, minor] = K8S_VERSION.slice(1).split('.');
  return [
    `-X k8s.io/component-base/version.gitVersion=${K8S_VERSION}`,
    `-X k8s.io/component-base/version.gitMajor=${major}`,
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
    '-X k8s.io/component-base/version.gitTreeState=clean',
  ].join(' ');
}

const MODULES: GoModule[] = [
  {
    dir: path.join(HERE, 'tools'),
    requirement: 'k8s.io/kubernetes',
    version: K8S_VERSION,
    ldflags: `-s -w ${k8sStamp()}`, // etcd ignores the stamp: its version is a constant
    targets: {
      'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
      etcd: 'go.etcd.io/etcd/server/v3',
      'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
      'kube-scheduler': 'k8s.io/kubernetes/cmd/kube-scheduler',
      kubectl: 'k8s.io/kubernetes/cmd/kubectl',
    },
  },
  {
    dir: path.join(HERE, 'kwok-tools'),
    requirement: 'sigs.k8s.io/kwok',
    version: KWOK_VERSION,
    ldflags: '-s -w',
    targets: { kwok: 'sigs.k8s.io/kwok/cmd/kwok' },
  },
];

export type Say = (msg: string) => void;

const secs = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const clock = (ms: number): string => `${Math.floor(ms / 60_000)}m${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}s`;

/** Runs a command; resolves its stdout; its stderr goes to onLine line by line. */
function run(cmd: string, argv: string[], cwd: string, env: NodeJS.ProcessEnv, onLine: (line: string) => void = () => {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      const lines = (partial + c).split('\n');
      partial = lines.pop()!;
      for (const l of lines) onLine(l);
    });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      if (partial) onLine(partial);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${argv.join(' ')} failed (${code ?? sig})`));
    });
  });
}

/** `go build -o <dir>/` names a binary after its package path, without a /vN suffix. */
function goOutputName(pkg: string): string {
  const parts = pkg.split('/');
  return /^v\d+$/.test(parts.at(-1)!) ? parts.at(-2)! : parts.at(-1)!;
}

/**
 * Build the binaries `names` (all when omitted) into the cache. Progress (packages compiled of
 * those the targets need, elapsed time against the expected cold build) goes to `say` every few
 * seconds, so a first `npm run dev` does not look hung.
 */
export async function buildBinaries(say: Say, names?: string[]): Promise<void> {
  const total = performance.now();
  const go = findGo();
  const out = cacheDir();
  fs.mkdirSync(out, { recursive: true });
  const env = goBuildEnv();
  say(`building into ${out} with ${go} (cold, everything: ~${COLD_BUILD_MINUTES} min on 2 cores; cached after)`);
  for (const m of MODULES) {
    const gomod = fs.readFileSync(path.join(m.dir, 'go.mod'), 'utf8');
    const pinned = new RegExp(`^\\s*(?:require\\s+)?${m.requirement.replace(/\./g, '\\.')} (v\\S+)`, 'm').exec(gomod)?.[1];
    if (pinned !== m.version) throw new Error(`${path.relative(HERE, m.dir)}/go.mod pins ${m.requirement} ${pinned}, harness expects ${m.version}`);
    const wanted = Object.entries(m.targets).filter(([name]) => !names || names.includes(name));
    if (wanted.length === 0) continue;
    const label = wanted.map(([name]) => name).join(', ');
    const t0 = performance.now();

    say(`${label}: downloading modules ...`);
    await run(go, ['mod', 'download'], m.dir, env, say);
    const pkgs = wanted.map(([, pkg]) => pkg);
    const deps = (await run(go, ['list', '-deps', ...pkgs], m.dir, env, say)).trim().split('\n').length;

    const tmp = fs.mkdtempSync(path.join(out, '.build-')); // renamed at the end: an interrupted build leaves no half binary
    let compiled = 0;
    const errors: string[] = [];
    const progress = setInterval(() => say(`${label}: ${compiled} packages compiled (of at most ${deps}: cached ones are skipped), ${clock(performance.now() - t0)} elapsed`), 15_000);
    try {
      // -v names each package as it is compiled (cached ones are not): the progress count.
      await run(go, ['build', '-v', '-trimpath', '-tags', 'notest,grpcnotrace', '-ldflags', m.ldflags, '-o', `${tmp}/`, ...pkgs], m.dir, env, (line) => {
        if (/^[\w.~\-/]+$/.test(line)) compiled++;
        else if (line.trim()) errors.push(line);
      }).catch((e: Error) => {
        throw new Error(`${e.message}\n${errors.slice(-40).join('\n')}`);
      });
      for (const [name, pkg] of wanted) fs.renameSync(path.join(tmp, goOutputName(pkg)), path.join(out, name));
    } finally {
      clearInterval(progress);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    for (const [name] of wanted) {
      const version = await run(path.join(out, name), [name === 'kubectl' ? 'version' : '--version', ...(name === 'kubectl' ? ['--client'] : [])], out, env, say);
      say(`  ${name}: ${version.trim().split('\n')[0]}`);
    }
    say(`${label}: built in ${secs(t0)}`);
  }
  say(`total ${secs(total)}`);
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const say: Say = (msg) => void process.stdout.write(`[control-plane:build] ${msg}\n`);
  const found = locateBinaries();
  if (found.binaries && !args.has('--force')) {
    for (const b of BINARIES) say(`${b.name.padEnd(24)} ${found.binaries[b.key].path} (${found.binaries[b.key].source})`);
    say('nothing to build');
    return;
  }
  if (args.has('--check')) {
    say(`missing: ${found.missing.join(', ')}`);
    process.exit(1);
  }
  // An explicit path wins over the cache in the harness, so building would not help.
  const explicit = BINARIES.filter((b) => process.env[b.envVar] && found.missing.includes(b.name));
  if (explicit.length > 0) throw new Error(`${explicit.map((b) => b.envVar).join(', ')} set but not executable`);
  await buildBinaries(say, args.has('--force') ? undefined : found.missing);
}

if (import.meta.main) {
  main().catch((e: unknown) => {
    process.stdout.write(`[control-plane:build] FAILED: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
