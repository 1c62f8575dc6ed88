// `npm run control-plane:build`: build kube-apiserver and etcd from Go modules into
// ${XDG_CACHE_HOME:-~/.cache}/sidecarset/k8s/<version>/, only when missing.
//
// Only package registries are reachable from our machines (no dl.k8s.io, no GitHub releases),
// so the binaries are compiled from the tools module next to this file, whose committed
// go.sum pins every dependency. Flags: --force (rebuild), --check (exit 1 if missing, no build).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findGo, goBuildEnv, runInherited } from '../support/go-toolchain.ts';
import { K8S_VERSION, cacheDir, locateBinaries } from './harness.ts';

const TOOLS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tools');
const args = new Set(process.argv.slice(2));
const force = args.has('--force');

const say = (msg: string): void => void process.stdout.write(`[control-plane:build] ${msg}\n`);
const secs = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const timings: Array<[string, string]> = [];

const run = (cmd: string, argv: string[], env: NodeJS.ProcessEnv): Promise<void> => runInherited(cmd, argv, TOOLS_DIR, env);

async function stage(name: string, fn: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  say(`${name} ...`);
  await fn();
  timings.push([name, secs(t0)]);
  say(`${name} done in ${secs(t0)}`);
}

async function main(): Promise<void> {
  const total = performance.now();

  // Keep the version in one place: the tools module decides, the harness must agree.
  const gomod = fs.readFileSync(path.join(TOOLS_DIR, 'go.mod'), 'utf8');
  const pinned = /^\s*(?:require\s+)?k8s\.io\/kubernetes (v\S+)/m.exec(gomod)?.[1];
  if (pinned !== K8S_VERSION) throw new Error(`tools/go.mod pins k8s.io/kubernetes ${pinned}, harness expects ${K8S_VERSION}`);

  // Users who bring their own binaries need nothing built.
  const userEnv = ['TEST_ASSET_KUBE_APISERVER', 'TEST_ASSET_ETCD', 'KUBEBUILDER_ASSETS'].filter((v) => process.env[v]);
  const found = locateBinaries();
  if (found.binaries && !force) {
    const { kubeApiserver, etcd } = found.binaries;
    say(`kube-apiserver: ${kubeApiserver.path} (${kubeApiserver.source})`);
    say(`etcd:           ${etcd.path} (${etcd.source})`);
    say('nothing to build');
    return;
  }
  if (args.has('--check')) {
    say(`missing: ${found.missing.join(', ')}`);
    process.exit(1);
  }
  if (userEnv.some((v) => v.startsWith('TEST_ASSET_'))) {
    // An explicit path wins over the cache in the harness, so building would not help.
    throw new Error(`${userEnv.join(', ')} set but the binaries there are missing or not executable: ${found.missing.join(', ')}`);
  }

  const out = cacheDir();
  fs.mkdirSync(out, { recursive: true });
  const go = findGo();
  const env = goBuildEnv();
  say(`building ${K8S_VERSION} into ${out} with ${go} (cold: ~6 min on 2 cores; cached after)`);

  await stage('go version', () => run(go, ['version'], env));
  await stage('download modules', () => run(go, ['mod', 'download'], env));

  const [major, minor] = K8S_VERSION.slice(1).split('.');
  const stamp = [
    `-X k8s.io/component-base/version.gitVersion=${K8S_VERSION}`,
    `-X k8s.io/component-base/version.gitMajor=${major}`,
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
    '-X k8s.io/component-base/version.gitTreeState=clean',
  ].join(' ');
  const targets: Array<{ name: string; pkg: string; ldflags: string }> = [
    { name: 'kube-apiserver', pkg: 'k8s.io/kubernetes/cmd/kube-apiserver', ldflags: `-s -w ${stamp}` },
    { name: 'etcd', pkg: 'go.etcd.io/etcd/server/v3', ldflags: '-s -w' },
  ];
  for (const t of targets) {
    const dest = path.join(out, t.name);
    if (!force && fs.existsSync(dest)) {
      say(`${t.name}: already in cache`);
      continue;
    }
    const tmp = `${dest}.tmp-${process.pid}`; // rename at the end: an interrupted build leaves no half binary
    await stage(`build ${t.name}`, async () => {
      try {
        await run(go, ['build', '-trimpath', '-tags', 'notest,grpcnotrace', '-ldflags', t.ldflags, '-o', tmp, t.pkg], env);
        fs.renameSync(tmp, dest);
      } finally {
        fs.rmSync(tmp, { force: true });
      }
    });
  }

  await stage('smoke check', async () => {
    await run(path.join(out, 'kube-apiserver'), ['--version'], env);
    await run(path.join(out, 'etcd'), ['--version'], env);
  });

  say('stage timings:');
  for (const [name, t] of timings) say(`  ${name.padEnd(22)} ${t}`);
  say(`total ${secs(total)}`);
}

main().catch((e: unknown) => {
  say(`FAILED: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
