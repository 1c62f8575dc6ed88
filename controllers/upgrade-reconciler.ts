// The in-place sidecar upgrade of one SidecarSet (spec Part B §7.2-7.4), next to the status
// reconciler: it reads the SidecarSet and its Pods from the caches, plans the round with the pure
// core (src/upgrade/), and writes each chosen Pod with one JSON Patch guarded by the resourceVersion
// it read. A conflict re-reads the Pod and tries again; a refusal by another webhook (Kruise's
// PodUnavailableBudget answers 403) backs the SidecarSet off, counted and reported, never hot-looping.
// Expectations keep a written Pod out of the next rounds (and inside the maxUnavailable budget)
// until the cache shows the write.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Pod } from '../src/api/core.ts';
import { ANNOTATION_SIDECARSET_HASH, API_VERSION, KIND, type SidecarSet } from '../src/api/sidecarset.ts';
import { backoffDelay } from '../src/kube/backoff.ts';
import { JSON_PATCH, requestJson, statusCodeOf } from '../src/kube/kube-http.ts';
import { errorFields, type Logger } from '../src/kube/logger.ts';
import type { ControllerCaches } from '../src/kube/caches.ts';
import { isActivePod } from '../src/matching.ts';
import { isPodReady, isPodSidecarUpdated, isPodStateConsistent } from '../src/status/pod-sidecar-state.ts';
import { selectPods } from '../src/status/sidecarset-status.ts';
import { canUpgradeInPlace, isSidecarRestartPending, isUpdatedButUnavailable } from '../src/upgrade/choose-pods.ts';
import { hotUpgradeReset, podUpgrade } from '../src/upgrade/pod-upgrade.ts';
import type { JsonPatchOperation } from '../src/json-patch.ts';
import { podStatusRecord, type PodStatusRecord } from '../src/upgrade/pod-status-record.ts';
import { findStalledPods, stallDeadline, upgradeWrittenAt } from '../src/upgrade/stalled-pods.ts';
import {
  notUpgradableMessage,
  progressMessage,
  REASON_NOT_UPGRADABLE,
  REASON_RESET_FAILED,
  REASON_RESET_SUCCEEDED,
  REASON_UPGRADE_COMPLETED,
  REASON_UPGRADE_PROGRESS,
  REASON_UPGRADE_REFUSED,
  REASON_UPGRADE_STALLED,
  refusedMessage,
  stalledMessage,
} from '../src/upgrade/upgrade-events.ts';
import { planUpgradeRound } from '../src/upgrade/upgrade-round.ts';
import { readUpgradeState } from '../src/upgrade/upgrade-state.ts';
import { WriteExpectations } from '../src/upgrade/write-expectations.ts';
import type { ControllerEvent, EventRecorder, EventSubject } from './events.ts';
import type { ControllerMetrics } from './metrics.ts';
import type { KeyHandler } from './work-queue.ts';

export interface UpgradeReconcilerOptions {
  kubeConfig: KubeConfig;
  caches: Pick<ControllerCaches, 'pods' | 'podsByInjectedSidecarSet' | 'sidecarSets' | 'namespaces'>;
  recordEvent: EventRecorder;
  logger: Logger;
  metrics: ControllerMetrics;
  /** Pod writes in flight at once within a round. Default 16. */
  concurrentWrites?: number;
}

const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
const MAX_CONFLICT_RETRIES = 3;
const REFUSAL_BACKOFF = { baseMs: 1_000, maxMs: 60_000 };
/** While writes are in flight, look again this soon even if no event arrives. */
const IN_FLIGHT_RECHECK_MS = 1_000;

const podPath = (pod: Pod) => `/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace ?? '')}/pods/${encodeURIComponent(pod.metadata.name ?? '')}`;
const podSubject = (pod: Pod): EventSubject => ({ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name ?? '', namespace: pod.metadata.namespace, uid: pod.metadata.uid });
const sidecarSetSubject = (s: SidecarSet): EventSubject => ({ apiVersion: API_VERSION, kind: KIND, name: s.metadata.name ?? '', uid: s.metadata.uid, resourceVersion: s.metadata.resourceVersion });

/** Another admission webhook refused the Pod update. */
class RefusedError extends Error {}

type WriteOutcome = 'upgraded' | 'skipped' | 'gone';

/** Runs `work` over `items` with at most `limit` at once; the first error is thrown after all settle. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors.find((err) => !(err instanceof RefusedError)) ?? errors[0];
}

interface SidecarSetMemory {
  uid: string;
  hash: string;
  notUpgradable: number;
  stalled: string;
  refusals: number;
  completed: boolean;
}

export function createUpgradeReconciler(options: UpgradeReconcilerOptions): KeyHandler {
  const { kubeConfig, caches, metrics, logger } = options;
  const expectations = new WriteExpectations();
  const recordExpectations = new WriteExpectations(); // status records: never written twice on a stale cache
  const memory = new Map<string, SidecarSetMemory>();
  const concurrency = options.concurrentWrites ?? 16;

  const event = (subject: EventSubject, e: ControllerEvent): Promise<void> =>
    options.recordEvent(subject, e).catch((err: unknown) => logger.warn({ reason: e.reason, object: subject.name, ...errorFields(err) }, 'failed to record event'));

  const getPod = (pod: Pod, signal: AbortSignal) => requestJson<Pod>(kubeConfig, { path: podPath(pod), signal });

  /** One JSON Patch; a failed resourceVersion test (422) or 409 re-reads and retries while the Pod still needs it. */
  async function writePod(start: Pod, build: (pod: Pod) => JsonPatchOperation[] | undefined, signal: AbortSignal): Promise<WriteOutcome> {
    let pod = start;
    for (let attempt = 0; ; attempt++) {
      const operations = build(pod);
      if (!operations) return 'skipped';
      try {
        const written = await requestJson<Pod>(kubeConfig, { method: 'PATCH', path: podPath(pod), contentType: JSON_PATCH, body: operations, signal });
        metrics.upgradeWrites.inc({ kind: 'pod', result: 'written' });
        expectations.expect(pod, written.metadata.resourceVersion ?? '', Date.now());
        return 'upgraded';
      } catch (err) {
        const code = statusCodeOf(err);
        if (code === 404) return 'gone';
        if (code === 403) {
          metrics.upgradeWrites.inc({ kind: 'pod', result: 'refused' });
          throw new RefusedError(errorFields(err).err.message, { cause: err });
        }
        if ((code !== 409 && code !== 422) || attempt >= MAX_CONFLICT_RETRIES) {
          metrics.upgradeWrites.inc({ kind: 'pod', result: 'error' });
          throw err;
        }
        let fresh: Pod;
        try {
          fresh = await getPod(pod, signal);
        } catch (readErr) {
          if (statusCodeOf(readErr) === 404) return 'gone';
          throw readErr;
        }
        // A 422 on an unchanged Pod is not a conflict but a refusal of the patch itself.
        if (code === 422 && fresh.metadata.resourceVersion === pod.metadata.resourceVersion) throw err;
        metrics.upgradeWrites.inc({ kind: 'pod', result: 'conflict' });
        pod = fresh;
      }
    }
  }

  async function recordOnPod(pod: Pod, record: PodStatusRecord | undefined, signal: AbortSignal): Promise<void> {
    if (!record || recordExpectations.inFlight(pod, Date.now())) return;
    try {
      const written = await requestJson<Pod>(kubeConfig, { method: 'PATCH', path: `${podPath(pod)}/status`, contentType: STRATEGIC_MERGE_PATCH, body: record, signal });
      recordExpectations.expect(pod, written.metadata.resourceVersion ?? '', Date.now());
      metrics.upgradeWrites.inc({ kind: 'pod-status', result: 'written' });
    } catch (err) {
      if (statusCodeOf(err) === 404) return;
      metrics.upgradeWrites.inc({ kind: 'pod-status', result: 'error' });
      throw err;
    }
  }

  /** Whether a Pod (as read now) still is what the round chose it as. */
  const stillToUpgrade = (sidecarSet: SidecarSet, pod: Pod): boolean =>
    isActivePod(pod) && !isPodSidecarUpdated(pod, sidecarSet) && canUpgradeInPlace(pod, sidecarSet) && !isSidecarRestartPending(pod, sidecarSet);

  return async (name, signal) => {
    const sidecarSet = caches.sidecarSets.get(name);
    if (!sidecarSet) {
      memory.delete(name);
      metrics.upgradeStalledPods.remove({ sidecarset: name });
      return;
    }
    const hash = sidecarSet.metadata.annotations?.[ANNOTATION_SIDECARSET_HASH];
    // The status reconciler registers the revision the Pods will record: wait until it has seen this generation.
    if (!hash || (sidecarSet.status?.observedGeneration ?? 0) < (sidecarSet.metadata.generation ?? 0)) return { requeueAfterMs: 500 };
    let remembered = memory.get(name);
    if (!remembered || remembered.uid !== sidecarSet.metadata.uid || remembered.hash !== hash) {
      remembered = { uid: sidecarSet.metadata.uid ?? '', hash, notUpgradable: 0, stalled: '', refusals: 0, completed: false };
      memory.set(name, remembered);
    }
    const state = remembered;
    const now = Date.now();
    const { matched } = selectPods(sidecarSet, caches.podsByInjectedSidecarSet.injectedBy(name), { namespaceLabels: (ns) => caches.namespaces.get(ns)?.metadata.labels });
    const inFlight = (pod: Pod) => expectations.inFlight(pod, now);
    const settled = matched.filter((pod) => !inFlight(pod));
    let requeueAfterMs: number | undefined = settled.length < matched.length ? IN_FLIGHT_RECHECK_MS : undefined;
    const soon = (ms: number) => (requeueAfterMs = Math.min(requeueAfterMs ?? ms, ms));

    // Records: finished upgrades, stalled ones.
    const stalled = findStalledPods(sidecarSet, settled, now);
    metrics.upgradeStalledPods.set({ sidecarset: name }, stalled.length);
    const stalledKey = stalled.map((s) => `${s.pod.metadata.namespace}/${s.pod.metadata.name}:${s.reason}`).sort().join(',');
    if (stalledKey !== state.stalled) {
      state.stalled = stalledKey;
      if (stalled.length > 0) await event(sidecarSetSubject(sidecarSet), { type: 'Warning', reason: REASON_UPGRADE_STALLED, message: stalledMessage(stalled, stallDeadline(sidecarSet)) });
    }
    const records: [Pod, PodStatusRecord | undefined][] = [];
    for (const pod of settled) {
      const recorded = readUpgradeState(pod, name);
      if (!recorded || recorded.state === 'Completed' || recorded.state === 'NotUpgradable') continue;
      if (isPodSidecarUpdated(pod, sidecarSet) && isPodStateConsistent(pod, sidecarSet) && isPodReady(pod, sidecarSet)) {
        records.push([pod, podStatusRecord(sidecarSet, pod, 'Completed', new Date(now))]);
      } else if (isUpdatedButUnavailable(pod, sidecarSet)) {
        const written = upgradeWrittenAt(pod, sidecarSet);
        if (written !== undefined) soon(Math.max(100, written + stallDeadline(sidecarSet) - now));
      }
    }
    for (const { pod, reason } of stalled) records.push([pod, podStatusRecord(sidecarSet, pod, 'Stalled', new Date(now), reason)]);
    await forEachLimited(records, concurrency, ([pod, record]) => recordOnPod(pod, record, signal));

    const round = planUpgradeRound(sidecarSet, matched, inFlight);
    if (signal.aborted) return;
    if (round.action === 'none') {
      if (round.reason === 'Complete' && !state.completed && matched.length > 0 && stalled.length === 0 && settled.every((p) => isPodStateConsistent(p, sidecarSet) && isPodReady(p, sidecarSet))) {
        state.completed = true;
        await event(sidecarSetSubject(sidecarSet), { type: 'Normal', reason: REASON_UPGRADE_COMPLETED, message: `all ${matched.length} Pod(s) run the current sidecars` });
      }
      return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
    }

    if (round.action === 'reset') {
      await forEachLimited(round.pods, concurrency, async (pod) => {
        try {
          await writePod(pod, (current) => hotUpgradeReset(sidecarSet, current, new Date()).operations, signal);
          metrics.upgradeResets.inc({ result: 'succeeded' });
          await event(podSubject(pod), { type: 'Normal', reason: REASON_RESET_SUCCEEDED, message: 'reset sidecar container image empty successfully' });
        } catch (err) {
          metrics.upgradeResets.inc({ result: 'failed' });
          await event(podSubject(pod), { type: 'Warning', reason: REASON_RESET_FAILED, message: `reset sidecar container image empty failed: ${errorFields(err).err.message}` });
          throw err;
        }
      });
      return { requeueAfterMs: IN_FLIGHT_RECHECK_MS };
    }

    // Not upgradable: condition and state on each Pod, Kruise's Event when the count changes.
    await forEachLimited(round.notUpgradable, concurrency, (pod) => recordOnPod(pod, podStatusRecord(sidecarSet, pod, 'NotUpgradable', new Date(now), 'non-image fields changed'), signal));
    if (round.notUpgradable.length !== state.notUpgradable) {
      state.notUpgradable = round.notUpgradable.length;
      if (round.notUpgradable.length > 0) await event(sidecarSetSubject(sidecarSet), { type: 'Normal', reason: REASON_NOT_UPGRADABLE, message: notUpgradableMessage(round.notUpgradable.length) });
    }
    if (round.upgrade.length === 0) return requeueAfterMs === undefined ? undefined : { requeueAfterMs };

    // patchPodMetadata needs the Pod's own annotations, which the cache does not keep: read those Pods live.
    const readLive = (sidecarSet.spec.patchPodMetadata ?? []).length > 0;
    const upgraded: Pod[] = [];
    let refusal: RefusedError | undefined;
    let refusedPod: Pod | undefined;
    try {
      await forEachLimited(round.upgrade, concurrency, async (cached) => {
        if (refusal) return; // another webhook refuses: stop this round
        try {
          const start = readLive ? await getPod(cached, signal) : cached;
          const outcome = await writePod(start, (pod) => (stillToUpgrade(sidecarSet, pod) ? podUpgrade(sidecarSet, pod, new Date()).operations : undefined), signal);
          if (outcome === 'upgraded') upgraded.push(cached);
        } catch (err) {
          if (err instanceof RefusedError) {
            refusal ??= err;
            refusedPod ??= cached;
          }
          throw err;
        }
      });
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
    } finally {
      if (upgraded.length > 0) {
        state.completed = false;
        const updated = matched.filter((p) => isPodSidecarUpdated(p, sidecarSet)).length + upgraded.length;
        logger.info({ sidecarSet: name, pods: upgraded.length, updated, matched: matched.length }, 'upgraded Pods in place');
        await event(sidecarSetSubject(sidecarSet), { type: 'Normal', reason: REASON_UPGRADE_PROGRESS, message: progressMessage(upgraded, updated, matched.length, round.maxUnavailable) });
      }
    }
    if (refusal && refusedPod) {
      state.refusals++;
      const delay = backoffDelay(state.refusals, REFUSAL_BACKOFF);
      logger.warn({ sidecarSet: name, pod: refusedPod.metadata.name, refusals: state.refusals, retryInMs: delay, ...errorFields(refusal.cause) }, 'Pod update refused by admission');
      await event(sidecarSetSubject(sidecarSet), { type: 'Warning', reason: REASON_UPGRADE_REFUSED, message: refusedMessage(refusedPod, refusal.message, delay) });
      return { requeueAfterMs: delay };
    }
    state.refusals = 0;
    return { requeueAfterMs: Math.min(requeueAfterMs ?? IN_FLIGHT_RECHECK_MS, IN_FLIGHT_RECHECK_MS) };
  };
}
