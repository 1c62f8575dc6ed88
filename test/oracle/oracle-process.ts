// The Kruise oracle as a child process: one JSON request per line in, one answer per line out, in
// order, so a queue of pending promises pairs them up.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface OracleRequest {
  op: 'default' | 'validate' | 'inject' | 'revision' | 'canonical';
  operation?: 'CREATE' | 'UPDATE';
  object: unknown;
  oldObject?: unknown;
  namespace?: string;
  sidecarSets?: unknown[];
  namespaces?: unknown[];
  revisions?: unknown[];
  whitelist?: string;
  /** canonical: which Go type to round-trip through. */
  kind?: 'Pod' | 'SidecarSet';
  revision?: number;
  collisionCount?: number;
}

export interface OracleAnswer {
  allowed: boolean;
  code?: number;
  reason?: string;
  message?: string;
  warnings?: string[];
  patch?: unknown;
  object?: unknown;
  /** revision: the ControllerRevision's data exactly as Kruise serialised it. */
  data?: string;
  /** The oracle could not run the case (a bug of the harness, never an answer of Kruise's). */
  error?: string;
}

/** What the tier needs of an oracle; the comparison's own test answers with a stand-in. */
export interface Oracle {
  ask(request: OracleRequest): Promise<OracleAnswer>;
}

export class OracleProcess implements Oracle {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #pending: Array<{ resolve: (answer: OracleAnswer) => void; reject: (error: Error) => void }> = [];
  #stderr = '';
  #exited: Error | undefined;

  constructor(binary: string) {
    this.#child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      const next = this.#pending.shift();
      if (!next) return;
      try {
        next.resolve(JSON.parse(line) as OracleAnswer);
      } catch (error) {
        next.reject(new Error(`oracle answered something that is not JSON: ${line.slice(0, 200)}`, { cause: error }));
      }
    });
    this.#child.on('exit', (code, signal) => {
      this.#exited = new Error(`oracle exited (${code ?? signal}); stderr: ${this.#stderr}`);
      for (const pending of this.#pending.splice(0)) pending.reject(this.#exited);
    });
  }

  ask(request: OracleRequest): Promise<OracleAnswer> {
    if (this.#exited) return Promise.reject(this.#exited);
    return new Promise((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      this.#child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.stdin.end();
    await exited;
  }
}
