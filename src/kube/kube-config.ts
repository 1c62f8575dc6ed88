// Where the API credentials come from: --kubeconfig, else the in-cluster ServiceAccount, else
// $KUBECONFIG, else ~/.kube/config. client-node falls back to http://localhost:8080 when it finds
// none, which fails later with a message that never says "kubeconfig"; here finding none is an error
// that names every place tried.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export class KubeconfigNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigNotFoundError';
  }
}

export function loadKubeConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (file) {
    kubeConfig.loadFromFile(file);
    return kubeConfig;
  }
  if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kubeConfig.loadFromCluster();
    return kubeConfig;
  }
  const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter((entry) => entry !== '');
  const home = path.join(env.HOME || homedir(), '.kube', 'config');
  const candidates = fromEnv.length > 0 ? fromEnv : [home];
  if (!candidates.some((candidate) => existsSync(candidate))) {
    const tried = [
      `in-cluster (${env.KUBERNETES_SERVICE_HOST ? `no ${SERVICE_ACCOUNT_TOKEN}` : 'KUBERNETES_SERVICE_HOST unset'})`,
      fromEnv.length > 0 ? `$KUBECONFIG (${fromEnv.join(path.delimiter)}: not found)` : '$KUBECONFIG (unset)',
      ...(fromEnv.length > 0 ? [] : [`~/.kube/config (${home}: not found)`]),
    ];
    throw new KubeconfigNotFoundError(`no kubeconfig found; tried ${tried.join(', ')}. For a local cluster run \`npm run dev\` and use its .dev/kubeconfig, or pass --kubeconfig FILE`);
  }
  kubeConfig.loadFromDefault({}, false);
  return kubeConfig;
}

/**
 * Who the operator acts as, for the start-up log line: the ServiceAccount a token names (its `sub`
 * claim, `system:serviceaccount:<namespace>:<name>`), else the kubeconfig user's name.
 */
export function kubeUserName(kubeConfig: KubeConfig): string {
  const user = kubeConfig.getCurrentUser();
  const tokenFile = user?.authProvider?.config?.tokenFile as string | undefined;
  let token = user?.token;
  if (!token && tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch {
      token = undefined; // the name below still says which user entry is used
    }
  }
  const payload = token?.split('.')[1];
  if (payload) {
    try {
      const subject = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
      if (typeof subject === 'string' && subject !== '') return subject;
    } catch {
      // not a JWT: an opaque token names nobody
    }
  }
  return user?.name ?? '(none)';
}
