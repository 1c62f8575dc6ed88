// kubectl for tests, run asynchronously: a test process also runs the simulated kubelet (and the
// Helm test's kube-proxy), which a blocking spawnSync would stall for as long as kubectl waits.
import { execFile } from 'node:child_process';

export interface KubectlResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** `kubectl --kubeconfig <kubeconfig> ...args` in `cwd`; resolves whatever the exit status. */
export function kubectlRunner(binary: string, kubeconfig: string, cwd?: string): (...args: string[]) => Promise<KubectlResult> {
  return (...args) => runKubectl(binary, kubeconfig, args, { cwd });
}

/** The same with `input` on kubectl's stdin, for `kubectl apply -f -`. */
export function runKubectl(binary: string, kubeconfig: string, args: readonly string[], options: { cwd?: string; input?: string } = {}): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(binary, ['--kubeconfig', kubeconfig, ...args], { cwd: options.cwd, encoding: 'utf8', timeout: 180_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ status, stdout, stderr: stderr || (error && !stderr ? error.message : '') });
    });
    child.stdin!.end(options.input ?? '');
  });
}
