// The process's manager, in the manner of controller-runtime's: it starts the parts every replica
// runs (caches, servers, the certificate manager) in order and stops them in reverse, and runs the
// leader-only parts (the controllers) while this replica holds the Lease. A controller is one
// LeaderRunnable; adding another (an upgrade reconciler) is one more addLeaderRunnable() call.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import { createLeaderElector, type LeaderElector } from './leader-election.ts';
import { errorFields, type Logger } from './logger.ts';

/** A started part of the process. */
export interface Runnable {
  stop(): Promise<void>;
}

/** A part that works only while this replica leads. */
export interface LeaderRunnable {
  /** This replica now leads. */
  startLeading(): void;
  /** Leadership ended, or the manager stops: stop at once; resolves when no work is in flight. */
  stopLeading(): Promise<void>;
}

export interface LeaderElectionSettings {
  /** Default true; false makes this replica lead unconditionally (a single replica, tests). */
  enabled?: boolean;
  leaseName?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  /** Where the Lease lives. */
  namespace: string;
  logger: Logger;
  leaderElection?: LeaderElectionSettings;
  /** Default `<hostname>_<uuid>`. */
  identity?: string;
}

export interface Manager {
  /** This replica's name in the Lease (and in Events it reports). */
  readonly identity: string;
  /** Starts a part now; stop() stops it after every part started later. */
  run<T extends Runnable>(name: string, start: () => T | Promise<T>): Promise<T>;
  /** Runs `runnable` while this replica leads; must be called before elect(). */
  addLeaderRunnable(name: string, runnable: LeaderRunnable): void;
  /** Begins campaigning (or leads at once when election is disabled); nothing happens without leader runnables. */
  elect(): void;
  isLeader(): boolean;
  /** Stops the leader runnables and gives up the Lease, leaving the other parts running. */
  resign(): Promise<void>;
  /** resign(), then stops every part in reverse order of start. Safe to call more than once. */
  stop(): Promise<void>;
}

export function createManager(options: ManagerOptions): Manager {
  const log = options.logger.child({ component: 'manager' });
  const identity = options.identity ?? `${hostname()}_${randomUUID()}`;
  const started: { name: string; runnable: Runnable }[] = [];
  const leaderRunnables: { name: string; runnable: LeaderRunnable }[] = [];
  let leading = false;
  let elector: LeaderElector | undefined;
  let electing = false;

  const startLeading = (): void => {
    leading = true;
    for (const { name, runnable } of leaderRunnables) {
      try {
        runnable.startLeading();
      } catch (error) {
        log.error({ runnable: name, ...errorFields(error) }, 'failed to start leading');
      }
    }
  };
  const stopLeading = async (): Promise<void> => {
    leading = false;
    await Promise.all(
      leaderRunnables.map(({ name, runnable }) => runnable.stopLeading().catch((error: unknown) => log.error({ runnable: name, ...errorFields(error) }, 'failed to stop leading'))),
    );
  };

  let resigning: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  return {
    identity,
    async run(name, start) {
      const runnable = await start();
      started.push({ name, runnable });
      return runnable;
    },
    addLeaderRunnable(name, runnable) {
      if (electing) throw new Error(`leader runnable ${name} added after the election began`);
      leaderRunnables.push({ name, runnable });
    },
    elect() {
      if (electing || leaderRunnables.length === 0) return;
      electing = true;
      const settings = options.leaderElection ?? {};
      if (settings.enabled === false) {
        log.info({ identity }, 'leader election disabled: leading');
        startLeading();
        return;
      }
      elector = createLeaderElector({
        kubeConfig: options.kubeConfig,
        namespace: options.namespace,
        name: settings.leaseName,
        identity,
        leaseDurationMs: settings.leaseDurationMs,
        renewDeadlineMs: settings.renewDeadlineMs,
        retryPeriodMs: settings.retryPeriodMs,
        logger: log,
        onStartedLeading: startLeading,
        onStoppedLeading: stopLeading,
      });
      elector.start();
    },
    isLeader: () => leading,
    resign() {
      // The elector stops the leader runnables and waits for them before it releases the Lease.
      resigning ??= electing ? (elector ? elector.stop() : stopLeading()) : Promise.resolve();
      return resigning;
    },
    stop() {
      stopping ??= (async () => {
        await this.resign();
        for (const { name, runnable } of started.splice(0).reverse()) {
          const since = Date.now();
          await runnable.stop().catch((error: unknown) => log.error({ runnable: name, ...errorFields(error) }, 'failed to stop'));
          log.debug({ runnable: name, durationMs: Date.now() - since }, 'stopped');
        }
      })();
      return stopping;
    },
  };
}
