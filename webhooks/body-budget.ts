// A cap on the request bytes being read, parsed and judged at once. A body turns into a string and
// then an object several times its size on the heap; sixteen 8 MiB reviews at once outgrew a 259 MiB
// heap and the process died with every request in it. Past the cap a request is answered 429 with
// Retry-After before its body is read (kube-apiserver's client retries it after that delay, within
// its timeout), so load sheds instead of crashing. One request is always let in, however large.
import type { FastifyInstance } from 'fastify';
import type { Counter } from 'prom-client';
import { statusBody } from './status-body.ts';

export const RETRY_AFTER_SECONDS = 1;

export function limitBodyBytesInFlight(app: FastifyInstance, maxBytes: number, shed: Counter): void {
  let inFlight = 0;
  app.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'POST') return done();
    // Without a length (chunked), count the most the route accepts.
    const declared = Number(request.headers['content-length'] ?? request.routeOptions.bodyLimit ?? 0);
    const bytes = Number.isFinite(declared) && declared > 0 ? declared : 0;
    if (inFlight > 0 && inFlight + bytes > maxBytes) {
      shed.inc();
      request.log.warn({ url: request.url, bytes, inFlight, maxBytes }, 'request shed: too many bytes in flight');
      // The connection stays open: Node discards the unread body (without buffering it), and a client
      // still sending it would otherwise see a broken pipe instead of this answer.
      reply.code(429).header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply.send(statusBody(429, `too many request bytes in flight, retry after ${RETRY_AFTER_SECONDS}s`));
    }
    inFlight += bytes;
    reply.raw.once('close', () => {
      inFlight -= bytes;
    });
    done();
  });
}
