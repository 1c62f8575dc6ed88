// The slice of pino's API the controllers use. Structural, so a pino logger (fastify's included)
// fits as is, and tests can pass a tiny recorder instead of configuring pino.

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

/** Error fields worth logging: ApiException messages embed whole responses, so keep code and the API's message only. */
export function errorFields(err: unknown): { err: { message: string; code?: number; reason?: string } } {
  const e = err as { message?: unknown; code?: unknown; statusCode?: unknown; reason?: unknown; body?: unknown } | null;
  const code = typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const body = typeof e?.body === 'string' ? safeParse(e.body) : e?.body;
  const apiMessage = (body as { message?: unknown } | undefined)?.message;
  const message = typeof apiMessage === 'string' ? apiMessage : String(e?.message ?? err).split('\n')[0];
  const reason = typeof e?.reason === 'string' ? e.reason : undefined;
  return { err: { message, ...(code !== undefined ? { code } : {}), ...(reason ? { reason } : {}) } };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
