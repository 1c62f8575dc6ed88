// The plain-HTTP port: /metrics for Prometheus, and /healthz and /readyz for the kubelet's probes
// (which then need no TLS and no certificate to tell whether the certificate is loaded).
import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { registerHealthRoutes } from './health-routes.ts';
import type { Readiness } from './readiness.ts';

export const DEFAULT_METRICS_PORT = 8080;

export interface MetricsServer {
  readonly app: FastifyInstance;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export function createMetricsServer(options: { registry: Registry; readiness: Readiness; logger: FastifyBaseLogger }): MetricsServer {
  const app = fastify({ loggerInstance: options.logger, logController: new LogController({ disableRequestLogging: true }), return503OnClosing: false });
  app.get('/metrics', async (_request, reply) => {
    reply.type(options.registry.contentType);
    return options.registry.metrics();
  });
  registerHealthRoutes(app as unknown as FastifyInstance, options.readiness);
  return {
    app: app as unknown as FastifyInstance,
    async listen(port, host) {
      await app.listen({ port, host });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error(`unexpected listen address ${String(address)}`);
      return address.port;
    },
    close: () => app.close(),
  };
}
