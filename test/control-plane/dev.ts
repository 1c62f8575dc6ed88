// `npm run dev`: a local etcd + kube-apiserver with the SidecarSet CRD installed, an admin
// kubeconfig at .dev/kubeconfig, up until Ctrl-C.
//
// `npm run dev` also runs the operator against it (dev-operator.ts); runDev() without `startOperator`
// gives a bare control plane. The operator is stopped before the control plane.
// Env: DEV_APISERVER_PORT pins the apiserver port (default: a free one).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILD_HINT, REPO_ROOT, SIDECARSET_CRD, binariesAvailable, log, startControlPlane, type ControlPlane } from './harness.ts';

export const DEV_KUBECONFIG = path.join(REPO_ROOT, '.dev', 'kubeconfig');

export interface Stoppable {
  stop(): Promise<void>;
}
/** Starts the operator against the dev control plane. */
export type OperatorStarter = (kubeconfigPath: string) => Promise<Stoppable | void>;

export interface DevOptions {
  startOperator?: OperatorStarter;
  kubeconfigPath?: string;
  crd?: string;
  apiserverPort?: number;
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
  const controlPlane = await startControlPlane({ kubeconfigPath, apiserverPort: port, handleSignals: false });
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

/** Start, print how to use it, stay up until SIGINT/SIGTERM. */
export async function runDev(opts: DevOptions = {}): Promise<void> {
  if (!binariesAvailable()) {
    log(`kube-apiserver/etcd not found: ${BUILD_HINT}`);
    process.exit(1);
  }
  const env = await startDev(opts);
  const rel = path.relative(process.cwd(), env.kubeconfigPath) || env.kubeconfigPath;
  process.stdout.write(
    [
      '',
      `Control plane ready: ${env.controlPlane.server}`,
      `  export KUBECONFIG=${rel}`,
      `  kubectl get sidecarsets`,
      `  kubectl apply -f deploy/examples/`,
      `Logs: ${env.controlPlane.logs.kubeApiserver}`,
      '       ' + env.controlPlane.logs.etcd,
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
  await env.stop();
  clearInterval(keepAlive);
}

if (import.meta.main) {
  const { startDevOperator } = await import('./dev-operator.ts');
  runDev({ startOperator: startDevOperator }).catch((e: unknown) => {
    log(`dev failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
