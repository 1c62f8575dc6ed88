// /healthz (liveness: the event loop answers) and /readyz (the readiness report as JSON, 200 when
// ready, 503 when not), served on both the TLS port and the plain-HTTP metrics port.
import type { FastifyInstance } from 'fastify';
import type { Readiness } from './readiness.ts';

export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  app.get('/healthz', (_request, reply) => {
    reply.type('text/plain; charset=utf-8').send('ok');
  });
  app.get('/readyz', (_request, reply) => {
    const report = readiness.report();
    reply.code(report.ready ? 200 : 503).send(report);
  });
}
