// The SidecarSet controller alone in a child process, for the tests that kill a leader: reads a
// kubeconfig file, campaigns for the Lease, prints `{"leading":true}` once it leads, and runs until
// it is killed. Usage: node controller-process.ts <kubeconfig> <namespace> '<leader election JSON>'
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { recordingLogger } from '../unit/recording-logger.ts';
import { startController } from './standalone-controller.ts';

const [file, namespace, election] = process.argv.slice(2);
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(file!);
const controller = startController({ kubeConfig, namespace: namespace!, logger: recordingLogger(), registry: new Registry(), leaderElection: JSON.parse(election!) });
const poll = setInterval(() => {
  if (!controller.isLeader()) return;
  process.stdout.write(`${JSON.stringify({ leading: true })}\n`);
  clearInterval(poll);
}, 20);
setInterval(() => {}, 1 << 30);
