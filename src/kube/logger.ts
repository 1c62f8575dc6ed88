// The slice of pino's API the controllers use. Structural, so a pino logger (fastify's included)
// fits as is, and tests can pass a tiny recorder instead of configuring pino.
import { KubeApiError } from './kube-http.ts';

export interface LogFn {
  (obj: object, msg?: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

/** Error fields worth logging: the message's first line, and the HTTP status and reason of an API error. */
export function errorFields(err: unknown): { err: { message: string; code?: number; reason?: string } } {
  const message = String(err instanceof Error ? err.message : err).split('\n')[0];
  if (!(err instanceof KubeApiError)) return { err: { message } };
  return { err: { message, code: err.statusCode, ...(err.reason ? { reason: err.reason } : {}) } };
}
