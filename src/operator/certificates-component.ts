// What `--cert-mode` starts, as the operator's `certificates` component:
//   self          the certificate manager: CA and certificate in a Secret, caBundle injection,
//                 rotation, each new certificate handed straight to the server;
//   cert-manager  nothing: a cert-manager Certificate is mounted into --cert-dir and its CA injector
//                 (the inject-ca-from annotation) fills caBundle; the server reloads the files;
//   external      nothing: the user provides the files in --cert-dir and the caBundle.
import type { ComponentFactory } from './operator.ts';
import type { Lifetimes } from '../../certs/lifetimes.ts';
import { startCertificateManager } from '../../certs/manager.ts';

export interface CertificateExtras {
  /** --cert-extra-dns: SANs beyond the Service's names. */
  extraDnsNames?: readonly string[];
  /** --cert-extra-ip: IP SANs, for url-based webhook configurations. */
  extraIps?: readonly string[];
  lifetimes?: Partial<Lifetimes>;
  checkIntervalMs?: number;
}

export function certificatesComponent(extras: CertificateExtras = {}): ComponentFactory {
  return ({ settings, kubeConfig, log, setCertificate }) => {
    const logger = log.child({ component: 'certificates' });
    if (settings.certMode !== 'self') {
      logger.info({ certMode: settings.certMode, certDir: settings.certDir }, 'serving certificate comes from the cert dir; caBundle is not managed by the operator');
      return { stop: async () => {} };
    }
    return startCertificateManager({
      ...extras,
      kubeConfig,
      namespace: settings.namespace,
      secretName: settings.secretName,
      serviceName: settings.serviceName,
      mutatingWebhookConfiguration: settings.mutatingWebhookConfiguration,
      validatingWebhookConfiguration: settings.validatingWebhookConfiguration,
      onCertificate: ({ cert, key }) => {
        setCertificate({ cert, key });
      },
      logger,
    });
  };
}
