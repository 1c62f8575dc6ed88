// `npm run dev`: a local cluster (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
// kwok with 2 simulated Nodes and the kubelet simulator) with the SidecarSet CRD installed and an
// admin kubeconfig at .dev/kubeconfig, up until Ctrl-C. Missing binaries are built first.
//
// Flags: --no-operator (the cluster alone, e.g. for `helm install` of the chart), --nodes=N.
// Env: DEV_APISERVER_PORT pins the apiserver port (default: a free one).
// runDev() without `startOperator` gives the cluster alone. The operator is stopped first.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureHelmTools } from '../support/helm.ts';
import { buildBinaries } from './build.ts';
import { REPO_ROOT, SIDECARSET_CRD, locateBinaries, log, startControlPlane, type ControlPlane } from './harness.ts';

export const DEV_KUBECONFIG = path.join(REPO_ROOT, '.dev', 'kubeconfig');
export const DEV_NODES = 2;
/** Dev keeps nothing: a short SIGTERM grace so Ctrl-C is done in well under 3 s. */
const DEV_STOP_GRACE_MS = 500;

export interface Stoppable {
  stop(): Promise<void>;
}
/** Starts the operator against the dev cluster. */
export type OperatorStarter = (kubeconfigPath: string) => Promise<Stoppable | void>;

export interface DevOptions {
  startOperator?: OperatorStarter;
  kubeconfigPath?: string;
  crd?: string;
  apiserverPort?: number;
  nodes?: number;
}

export interface DevEnvironment {
  controlPlane: ControlPlane;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

/** Start everything; the caller decides how long to stay up. */
export async function startDev(opts: DevOptions = {}): Promise<DevEnvironment> {
  const kubeconfigPath = opts.kubeconfigPath ?? DEV_KUBECONFIG;
  const port = opts.apiserverPort ?? (process.env.DEV_APISERVER_PORT ? Number(process.env.DEV_APISERVER_PORT) : undefined);
  // Signals are ours here: the operator must stop before the apiserver it talks to.
  const controlPlane = await startControlPlane({
    kubeconfigPath,
    apiserverPort: port,
    handleSignals: false,
    nodes: opts.nodes ?? DEV_NODES,
    stopGraceMs: DEV_STOP_GRACE_MS,
  });
  let operator: Stoppable | void = undefined;
  try {
    const crd = opts.crd ?? SIDECARSET_CRD;
    await controlPlane.installCRDs(crd);
    log(`installed ${path.relative(REPO_ROOT, crd)}`);
    if (opts.startOperator) operator = await opts.startOperator(kubeconfigPath);
  } catch (e) {
    await controlPlane.stop();
    throw e;
  }
  let stopping: Promise<void> | undefined;
  return {
    controlPlane,
    kubeconfigPath,
    stop: () =>
      (stopping ??= (async () => {
        if (operator) await operator.stop();
        await controlPlane.stop();
        fs.rmSync(kubeconfigPath, { force: true }); // it would point at a dead server
      })()),
  };
}

/** Build what is missing, start, print how to use it, stay up until SIGINT/SIGTERM. */
export async function runDev(opts: DevOptions = {}): Promise<void> {
  const { missing } = locateBinaries();
  if (missing.length > 0) {
    log(`missing ${missing.join(', ')}: building them now (once; cached after)`);
    await buildBinaries((msg) => log(`build: ${msg}`), missing);
  }
  const env = await startDev(opts);
  const rel = path.relative(process.cwd(), env.kubeconfigPath) || env.kubeconfigPath;
  const kubectl = env.controlPlane.binaries.kubectl.path;
  let helm: string;
  try {
    helm = ensureHelmTools().helm;
  } catch (e) {
    helm = `(unavailable: ${(e as Error).message.split('\n')[0]})`; // the cluster works without it
  }
  process.stdout.write(
    [
      '',
      `Cluster ready: ${env.controlPlane.server}, Nodes ${env.controlPlane.nodeNames.join(', ')}${opts.startOperator ? ', operator running' : ' (no operator)'}`,
      `  export KUBECONFIG=${rel}`,
      `  alias kubectl=${kubectl}    # same version as the apiserver`,
      `  alias helm=${helm}`,
      ...(opts.startOperator
        ? ['  kubectl create namespace demo', '  kubectl apply -n demo -f deploy/examples/', '  kubectl get sidecarsets']
        : [`  helm install sidecarset deploy/helm/sidecarset --namespace sidecarset-system --create-namespace`]),
      `Logs: ${env.controlPlane.dir}/*.log`,
      'Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  const keepAlive = setInterval(() => {}, 1 << 30);
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (++signals > 1) {
        log(`${sig} again: exiting now`); // the harness' exit hook still kills the binaries
        process.exit(130);
      }
      log(`${sig}: shutting down (again to force)`);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
  });
  const t0 = performance.now();
  await env.stop();
  log(`stopped in ${Math.round(performance.now() - t0)} ms`);
  clearInterval(keepAlive);
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { 'no-operator': { type: 'boolean', default: false }, nodes: { type: 'string' } } });
  const nodes = values.nodes === undefined ? DEV_NODES : Number(values.nodes);
  if (!Number.isInteger(nodes) || nodes < 1) {
    log(`--nodes: Invalid value: "${values.nodes}": must be a whole number of at least 1`);
    process.exit(2);
  }
  const startOperator = values['no-operator'] ? undefined : (await import('./dev-operator.ts')).startDevOperator;
  runDev({ startOperator, nodes }).catch((e: unknown) => {
    log(`dev failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
