// An HTTPS client for the admission server in tests: keep-alive like the apiserver, trusting only
// the test CA, with helpers to send AdmissionReviews and read the decoded patch.
import { Agent, request, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: any;
  /** Local port of the connection used: equal ports mean a reused (keep-alive) connection. */
  localPort?: number;
  /** Fingerprint of the certificate the server presented on that connection. */
  fingerprint256?: string;
}

export interface WebhookClient {
  readonly agent: Agent;
  post(path: string, body: unknown, options?: { headers?: Record<string, string>; timeoutMs?: number }): Promise<Reply>;
  get(path: string): Promise<Reply>;
  close(): void;
}

export function webhookClient(port: number, ca: string, agentOptions: { keepAlive?: boolean; maxSockets?: number } = {}): WebhookClient {
  const agent = new Agent({ keepAlive: agentOptions.keepAlive ?? true, maxSockets: agentOptions.maxSockets ?? 8, ca });
  const send = (options: RequestOptions, body?: string | Buffer, timeoutMs = 10_000): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, agent, ...options }, (res) => {
        // Read now: once the body has ended, a keep-alive socket goes back to the agent.
        const socket = res.socket as TLSSocket;
        const localPort = socket.localPort;
        const fingerprint256 = socket.getPeerCertificate().fingerprint256;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, localPort, fingerprint256 });
        });
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no reply within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  return {
    agent,
    post(path, body, options = {}) {
      const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      return send(
        { method: 'POST', path, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...options.headers } },
        payload,
        options.timeoutMs,
      );
    },
    get: (path) => send({ method: 'GET', path }),
    close: () => agent.destroy(),
  };
}

/** The JSON Patch of a review reply, decoded from base64. */
export function decodedPatch(reply: Reply): any[] | undefined {
  const patch = reply.json?.response?.patch;
  return patch === undefined ? undefined : JSON.parse(Buffer.from(patch, 'base64').toString('utf8'));
}
