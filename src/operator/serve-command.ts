// `sidecarset serve`: runs the operator (webhooks, caches, controller) until SIGTERM or SIGINT,
// then drains and exits 0. The flags are in serve-flags.ts.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeconfigNotFoundError, loadKubeConfig } from '../kube/kube-config.ts';
import { certificatesComponent } from './certificates-component.ts';
import { controllerComponent } from './controller-component.ts';
import { startOperator, type Operator } from './operator.ts';
import { missingHeapSizeFlag, rerunWith } from './heap-size.ts';
import { serveArguments, serveOptions, serveUsage } from './serve-flags.ts';
import type { Command } from '../cli/command.ts';
import { InputError } from '../cli/input.ts';

/** After stop(), anything still holding the event loop (a stray socket) must not keep the Pod terminating. */
const EXIT_GRACE_MS = 2_000;

export const serveCommand: Command = {
  usage: serveUsage(),
  options: serveOptions(),
  async run(values) {
    const { settings, kubeconfig, certificateExtras } = serveArguments(values);
    const heapFlag = missingHeapSizeFlag();
    if (heapFlag) return rerunWith(heapFlag);
    let kubeConfig: KubeConfig;
    try {
      kubeConfig = loadKubeConfig(kubeconfig);
    } catch (error) {
      if (error instanceof KubeconfigNotFoundError) {
        process.stderr.write(`error: ${error.message}\n`);
        return 1;
      }
      throw new InputError(`--kubeconfig: ${(error as Error).message}`);
    }
    return runUntilSignal(await startOperator({ ...settings, kubeConfig, certificates: certificatesComponent(certificateExtras), controller: controllerComponent }));
  },
};

/** Waits for SIGTERM (then drains) or SIGINT (no drain) and stops the operator; resolves with the exit code. */
export async function runUntilSignal(operator: Operator): Promise<number> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    // once: a second Ctrl-C during the drain falls through to Node's default and ends the process at once.
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  operator.log.info({ signal }, 'signal received');
  // Ctrl-C in a terminal means now; the drain is for SIGTERM, when a cluster takes the replica out of its Service.
  await operator.stop(signal === 'SIGINT' ? { drainMs: 0 } : {});
  setTimeout(() => {
    operator.log.warn({ graceMs: EXIT_GRACE_MS }, 'handles still open after stop; exiting anyway');
    process.exit(0);
  }, EXIT_GRACE_MS).unref();
  return 0;
}
