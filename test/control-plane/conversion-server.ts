// The CRD conversion webhook every test control plane points the SidecarSet CRD at: the operator's
// own admission server code, `/convert` only (no webhooks, no caches), on 127.0.0.1 with a
// throwaway certificate. A control plane outlives the operators tests start and stop, and objects
// stored as v1beta1 cannot be read as v1alpha1 (nor written from v1alpha1) without it.
import { Registry } from 'prom-client';
import { CONVERSION_PATH } from '../../src/api/crd.ts';
import { Readiness } from '../../webhooks/readiness.ts';
import { createWebhookServer } from '../../webhooks/server.ts';
import { createWebhookMetrics } from '../../webhooks/webhook-metrics.ts';
import { newServingCert } from './harness.ts';

/** Where the apiserver sends ConversionReviews, and the CA (PEM) it must trust. */
export interface ConversionTarget {
  url: string;
  caPem: string;
}

export interface ConversionServer extends ConversionTarget {
  close(): Promise<void>;
}

export async function startConversionServer(): Promise<ConversionServer> {
  const tls = newServingCert();
  const registry = new Registry();
  const server = createWebhookServer({
    logger: { level: 'warn' },
    readiness: new Readiness(registry),
    metrics: createWebhookMetrics(registry),
    certificate: { cert: tls.certPem, key: tls.keyPem },
  });
  const port = await server.listen(0, '127.0.0.1');
  return { url: `https://127.0.0.1:${port}${CONVERSION_PATH}`, caPem: tls.caPem, close: () => server.close() };
}

/** The CRD with its conversion webhook sent to `target` (a url clientConfig); other objects unchanged. */
export function withConversionTarget<T extends { kind?: string; spec?: any }>(object: T, target: ConversionTarget): T {
  if (object.kind !== 'CustomResourceDefinition' || object.spec?.conversion?.strategy !== 'Webhook') return object;
  const copy = structuredClone(object);
  copy.spec.conversion.webhook.clientConfig = { url: target.url, caBundle: Buffer.from(target.caPem).toString('base64') };
  return copy;
}
