// A KubeConfig for a plain-HTTP stand-in apiserver on loopback, with an anonymous user.
import { KubeConfig } from '@kubernetes/client-node';

export function plainKubeConfig(server: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kubeConfig;
}
