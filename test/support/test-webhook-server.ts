// The admission server on 127.0.0.1:<random port> with a throwaway certificate, in-memory caches
// and a client that trusts it: what the webhook unit tests, the fuzzer and the benchmark run against.
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { newServingCert } from '../control-plane/harness.ts';
import type { AdmissionWebhook } from '../../webhooks/admission-outcome.ts';
import { admissionWebhooks, type AdmissionWebhookSettings } from '../../webhooks/admission-webhooks.ts';
import { Readiness } from '../../webhooks/readiness.ts';
import { createWebhookServer, type WebhookServer, type WebhookServerOptions } from '../../webhooks/server.ts';
import { createWebhookMetrics } from '../../webhooks/webhook-metrics.ts';
import { memoryClusterCaches, type MemoryClusterCaches } from './memory-caches.ts';
import { webhookClient, type WebhookClient } from './webhook-client.ts';

export interface TestWebhookServer {
  server: WebhookServer;
  port: number;
  client: WebhookClient;
  caches: MemoryClusterCaches;
  tls: { caPem: string; certPem: string; keyPem: string };
  registry: Registry;
  readiness: Readiness;
  /** Every log line the server wrote, parsed. */
  logs: Record<string, any>[];
  close(): Promise<void>;
}

export interface TestWebhookServerOptions {
  caches?: MemoryClusterCaches;
  /** Default: the three admission webhooks over `caches`. */
  webhooks?: AdmissionWebhook[];
  settings?: Partial<AdmissionWebhookSettings>;
  server?: Partial<WebhookServerOptions>;
  logLevel?: string;
  /** The serving certificate; a fresh throwaway one by default. */
  tls?: TestWebhookServer['tls'];
  /** Register extra routes before the server listens (the benchmark's echo route). */
  configure?: (server: WebhookServer) => void;
}

export async function startTestWebhookServer(options: TestWebhookServerOptions = {}): Promise<TestWebhookServer> {
  const tls = options.tls ?? newServingCert();
  const caches = options.caches ?? memoryClusterCaches();
  const registry = new Registry();
  const readiness = new Readiness(registry);
  const logs: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const server = createWebhookServer({
    logger: { level: options.logLevel ?? 'info', stream },
    readiness,
    metrics: createWebhookMetrics(registry),
    certificate: { cert: tls.certPem, key: tls.keyPem },
    ...options.server,
  });
  const webhooks =
    options.webhooks ??
    admissionWebhooks({
      caches,
      operatorNamespace: 'sidecarset-system',
      whitelistConfigMap: 'sidecarset-configuration',
      allowPatchMetadataWithoutWhitelist: false,
      excludedNamespaces: ['kube-system', 'sidecarset-system'],
      ...options.settings,
    });
  for (const webhook of webhooks) server.addWebhook(webhook);
  options.configure?.(server);
  const port = await server.listen(0, '127.0.0.1');
  const client = webhookClient(port, tls.caPem);
  return {
    server,
    port,
    client,
    caches,
    tls,
    registry,
    readiness,
    logs,
    async close() {
      client.close();
      await server.close();
    },
  };
}
