// Readiness of the process: the sum of named checks (caches synced, certificate loaded) and
// whether shutdown has begun. /readyz renders report(); the Service stops routing admission
// requests to a replica that is not ready, which is what draining relies on.
import { Gauge, type Registry } from 'prom-client';

export interface CheckResult {
  ok: boolean;
  [detail: string]: unknown;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

export class Readiness {
  readonly #checks = new Map<string, () => CheckResult>();
  #shuttingDown = false;
  #everReady = false;

  /** Exposes `sidecarset_ready` on the registry, evaluated at each scrape. */
  constructor(registry?: Registry) {
    if (!registry) return;
    const readiness = this;
    new Gauge({
      name: 'sidecarset_ready',
      help: '1 while /readyz reports ready (caches synced, certificate loaded, not shutting down).',
      registers: [registry],
      collect() {
        this.set(readiness.report().ready ? 1 : 0);
      },
    });
  }

  add(name: string, check: () => CheckResult): void {
    this.#checks.set(name, check);
  }

  /** From now on not ready, for good: the replica is draining. */
  shutdown(): void {
    this.#shuttingDown = true;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Whether a report ever said ready: until then no Service routes here, and there is nothing to drain. */
  get everReady(): boolean {
    if (!this.#everReady && !this.#shuttingDown) this.report();
    return this.#everReady;
  }

  report(): ReadinessReport {
    const checks: Record<string, CheckResult> = {};
    let ready = !this.#shuttingDown;
    for (const [name, check] of this.#checks) {
      let result: CheckResult;
      try {
        result = check();
      } catch (error) {
        result = { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
      checks[name] = result;
      ready &&= result.ok;
    }
    checks.shutdown = { ok: !this.#shuttingDown };
    this.#everReady ||= ready;
    return { ready, checks };
  }
}
