// One operator replica in this process, on 127.0.0.1 with random ports, in self-managed
// certificate mode (the serving certificate names IP 127.0.0.1, for url-based webhooks): what the
// certificate integration tests and the startup benchmark run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { certificatesComponent, type CertificateExtras } from '../../src/operator/certificates-component.ts';
import { startOperator, type Operator, type OperatorSettings } from '../../src/operator/operator.ts';
import type { Cluster } from '../control-plane/harness.ts';

export type ReplicaSettings = Pick<OperatorSettings, 'namespace' | 'mutatingWebhookConfiguration' | 'validatingWebhookConfiguration'> & Partial<OperatorSettings>;

/** The operator stops and its (unused, empty) cert dir goes away together. */
export async function startSelfManagedReplica(cluster: Cluster, settings: ReplicaSettings, extras: CertificateExtras = {}): Promise<Operator> {
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecarset-replica-'));
  const operator = await startOperator({
    port: 0,
    metricsPort: 0,
    bindAddress: '127.0.0.1',
    shutdownDrainMs: 0,
    logLevel: 'warn',
    ...settings,
    certDir,
    certMode: 'self',
    kubeConfig: cluster.kubeConfig,
    certificates: certificatesComponent({ extraIps: ['127.0.0.1'], ...extras }),
  }).catch((error: unknown) => {
    fs.rmSync(certDir, { recursive: true, force: true });
    throw error;
  });
  return {
    ...operator,
    async stop() {
      await operator.stop();
      fs.rmSync(certDir, { recursive: true, force: true });
    },
  };
}

/** True once the replica serves a certificate (its readiness check `certificate`). */
export const certificateLoaded = (operator: Operator): boolean => operator.readiness.report().checks.certificate?.ok === true;
