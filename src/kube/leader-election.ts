// Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules: a candidate takes the
// lease when it is free (no holder) or when its record has not changed for a whole lease duration
// by the candidate's own clock (so clocks need not agree); the leader renews every retry period and
// steps down when it cannot renew within the renew deadline, which is shorter than the lease
// duration, so it stops before anyone else may start. On stop the leader releases the lease
// (no holder, 1 s duration) so a successor takes over at its next retry.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ObjectMeta } from '../api/core.ts';
import { requestJson, statusCodeOf } from './kube-http.ts';
import { errorFields, type Logger } from './logger.ts';

export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Lease name. Default 'sidecarset-controller'. */
  name?: string;
  /** This candidate (Pod name and a random suffix, typically). */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  logger: Logger;
  onStartedLeading(): void;
  /** On release (stop) the lease is given up only after what this returns has settled. */
  onStoppedLeading(): void | Promise<void>;
}

export interface LeaderElector {
  start(): void;
  /** Stops campaigning; a leader first releases the lease. */
  stop(): Promise<void>;
  isLeader(): boolean;
}

export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

export interface Observation {
  record: LeaseRecord;
  /** Local time at which the record was last seen to change. */
  at: number;
}

/** coordination.k8s.io/v1 Lease, as far as election goes. Times are metav1.MicroTime text. */
interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

export type LeaseDecision = { take: false } | { take: true; record: LeaseRecord };

/** client-go's tryAcquireOrRenew decision, given the lease as last observed. */
export function decideLease(observed: Observation | undefined, identity: string, now: number, leaseDurationSeconds: number): LeaseDecision {
  const existing = observed?.record;
  const holder = existing?.holderIdentity ?? '';
  const valid = observed !== undefined && observed.at + existing!.leaseDurationSeconds * 1000 > now;
  if (holder !== '' && holder !== identity && valid) return { take: false };
  const time = microTime(now);
  const renewing = holder === identity;
  return {
    take: true,
    record: {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: renewing ? existing?.acquireTime : time,
      renewTime: time,
      leaseTransitions: (existing?.leaseTransitions ?? 0) + (existing && !renewing ? 1 : 0),
    },
  };
}

const DEFAULTS = { name: 'sidecarset-controller', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export function createLeaderElector(options: LeaderElectionOptions): LeaderElector {
  const name = options.name ?? DEFAULTS.name;
  const leaseDurationMs = options.leaseDurationMs ?? DEFAULTS.leaseDurationMs;
  const renewDeadlineMs = options.renewDeadlineMs ?? DEFAULTS.renewDeadlineMs;
  const retryPeriodMs = options.retryPeriodMs ?? DEFAULTS.retryPeriodMs;
  const leaseDurationSeconds = Math.max(1, Math.ceil(leaseDurationMs / 1000));
  const { namespace, identity } = options;
  const log = options.logger.child({ lease: `${namespace}/${name}`, identity });
  const { kubeConfig } = options;
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const item = `${collection}/${encodeURIComponent(name)}`;

  let leading = false;
  let observed: Observation | undefined;
  let lease: Lease | undefined;
  let stopping: AbortController | undefined;
  let loop: Promise<void> | undefined;

  const toRecord = (l: Lease): LeaseRecord => ({
    holderIdentity: l.spec?.holderIdentity ?? '',
    leaseDurationSeconds: l.spec?.leaseDurationSeconds ?? leaseDurationSeconds,
    acquireTime: l.spec?.acquireTime,
    renewTime: l.spec?.renewTime,
    leaseTransitions: l.spec?.leaseTransitions ?? 0,
  });

  const observe = (l: Lease): void => {
    lease = l;
    const record = toRecord(l);
    if (!observed || JSON.stringify(observed.record) !== JSON.stringify(record)) observed = { record, at: Date.now() };
  };

  /** One attempt, abandoned when `signal` fires; resolves whether we hold the lease afterwards. */
  async function tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    try {
      observe(await requestJson<Lease>(kubeConfig, { path: item, signal }));
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw err;
      const decision = decideLease(undefined, identity, Date.now(), leaseDurationSeconds);
      if (!decision.take) return false;
      const body: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: decision.record };
      observe(await requestJson<Lease>(kubeConfig, { method: 'POST', path: collection, body, signal }));
      return true;
    }
    const decision = decideLease(observed, identity, Date.now(), leaseDurationSeconds);
    if (!decision.take) return false;
    observe(await requestJson<Lease>(kubeConfig, { method: 'PUT', path: item, body: { ...lease!, spec: decision.record }, signal }));
    return true;
  }

  const attempt = (timeoutMs: number): Promise<boolean> =>
    tryAcquireOrRenew(AbortSignal.timeout(timeoutMs)).catch((err: unknown) => {
      // 409: someone else updated the lease between our read and write.
      if (statusCodeOf(err) !== 409) log.warn(errorFields(err), 'lease request failed');
      return false;
    });

  const jittered = (ms: number): number => ms * (1 + Math.random() * 0.2);
  const pause = (ms: number, signal: AbortSignal): Promise<void> => sleep(ms, undefined, { signal }).catch(() => {});

  const setLeading = async (value: boolean): Promise<void> => {
    if (leading === value) return;
    leading = value;
    try {
      if (value) {
        log.info({}, 'became leader');
        options.onStartedLeading();
      } else {
        log.warn({}, 'stopped leading');
        await options.onStoppedLeading();
      }
    } catch (err) {
      log.error(errorFields(err), 'leadership callback failed');
    }
  };

  async function campaign(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      // Acquire: retry until we hold the lease.
      while (!signal.aborted && !(await attempt(retryPeriodMs))) await pause(jittered(retryPeriodMs), signal);
      if (signal.aborted) return;
      void setLeading(true);
      // Renew: each round must succeed within the renew deadline, else we step down.
      while (!signal.aborted) {
        await pause(retryPeriodMs, signal);
        if (signal.aborted) return;
        const deadline = Date.now() + renewDeadlineMs;
        let renewed = false;
        while (!signal.aborted && !renewed && Date.now() < deadline) {
          renewed = await attempt(Math.max(1, Math.min(retryPeriodMs, deadline - Date.now())));
          if (!renewed && lease?.spec?.holderIdentity && lease.spec.holderIdentity !== identity) break; // someone else holds it now
          if (!renewed) await pause(Math.min(retryPeriodMs, Math.max(0, deadline - Date.now())), signal);
        }
        if (signal.aborted) return;
        if (!renewed) {
          void setLeading(false); // stops reconciling at once; does not wait for work in flight
          break;
        }
      }
    }
  }

  async function release(): Promise<void> {
    if (!leading || !lease) return;
    await setLeading(false); // no writes of ours in flight once the lease is free
    const now = microTime(Date.now());
    const record: LeaseRecord = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: observed?.record.leaseTransitions ?? 0 };
    try {
      await requestJson(kubeConfig, { method: 'PUT', path: item, body: { ...lease, spec: record }, timeoutMs: renewDeadlineMs });
      log.info({}, 'released lease');
    } catch (err) {
      log.warn(errorFields(err), 'failed to release lease; a successor waits for it to expire');
    }
  }

  return {
    start() {
      if (loop) return;
      stopping = new AbortController();
      loop = campaign(stopping.signal).catch((err) => log.error(errorFields(err), 'leader election failed'));
    },
    async stop() {
      stopping?.abort();
      await loop;
      loop = undefined;
      await release();
    },
    isLeader: () => leading,
  };
}

/** metav1.MicroTime text: RFC 3339 in UTC with six fractional digits (the apiserver refuses fewer). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
