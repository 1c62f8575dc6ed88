// The plain-HTTP port: /metrics for Prometheus, and /healthz and /readyz for the kubelet's probes
// (which then need no TLS and no certificate to tell whether the certificate is loaded).
import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { registerHealthRoutes } from './health-routes.ts';
import type { Readiness } from './readiness.ts';
import { listenOn } from './server.ts';

export interface MetricsServer {
  readonly app: FastifyInstance;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export function createMetricsServer(options: { registry: Registry; readiness: Readiness; logger: FastifyBaseLogger }): MetricsServer {
  const app = fastify({ loggerInstance: options.logger, logController: new LogController({ disableRequestLogging: true }), return503OnClosing: false }) as unknown as FastifyInstance;
  app.get('/metrics', async (_request, reply) => {
    reply.type(options.registry.contentType);
    return options.registry.metrics();
  });
  registerHealthRoutes(app, options.readiness);
  return {
    app,
    listen: (port, host) => listenOn(app, port, host),
    close: () => app.close(),
  };
}
