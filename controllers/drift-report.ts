// Drift report, beyond Kruise: Pods a SidecarSet selects but never injected (created before it,
// while injection was paused or the webhook was unavailable...). Kruise leaves them out of
// `matchedPods` silently; we count them in a gauge per SidecarSet and, whenever the count changes,
// record a core/v1 Event on the SidecarSet naming a few of them.
import type { Pod } from '../src/api/core.ts';
import { API_VERSION, KIND, type SidecarSet } from '../src/api/sidecarset.ts';
import { errorFields, type Logger } from '../src/kube/logger.ts';
import type { ControllerEvent, EventRecorder } from './events.ts';
import type { ControllerMetrics } from './metrics.ts';

export const REASON_PODS_NOT_INJECTED = 'PodsNotInjected';
export const REASON_ALL_PODS_INJECTED = 'AllPodsInjected';
const NAMED_PODS = 5;

/** The Event for a changed count; pure so the wording is testable. */
export function driftEvent(notInjected: readonly Pod[]): ControllerEvent {
  if (notInjected.length === 0) {
    return { type: 'Normal', reason: REASON_ALL_PODS_INJECTED, message: 'every active Pod selected by this SidecarSet carries its injection' };
  }
  const names = notInjected.map((pod) => `${pod.metadata.namespace}/${pod.metadata.name}`).sort();
  const shown = names.slice(0, NAMED_PODS).join(', ');
  const more = names.length > NAMED_PODS ? ` and ${names.length - NAMED_PODS} more` : '';
  return {
    type: 'Warning',
    reason: REASON_PODS_NOT_INJECTED,
    message: `${names.length} active Pod(s) selected by this SidecarSet were not injected by it (sidecars are only added at Pod creation; recreate them to inject): ${shown}${more}`,
  };
}

export interface DriftReporter {
  /** The Event write is aborted with `signal` (leadership lost). */
  report(sidecarSet: SidecarSet, notInjected: readonly Pod[], signal: AbortSignal): Promise<void>;
  /** The SidecarSet is gone: drop its gauge and memory. */
  forget(name: string): void;
}

export function createDriftReporter(options: { recordEvent: EventRecorder; logger: Logger; metrics: ControllerMetrics }): DriftReporter {
  // Last count reported per SidecarSet (by uid, so a recreated SidecarSet starts afresh).
  const reported = new Map<string, { uid: string; count: number }>();

  return {
    async report(sidecarSet, notInjected, signal) {
      const name = sidecarSet.metadata.name ?? '';
      const uid = sidecarSet.metadata.uid ?? '';
      options.metrics.podsNotInjected.set({ sidecarset: name }, notInjected.length);
      const last = reported.get(name);
      const previous = last?.uid === uid ? last.count : 0;
      if (previous === notInjected.length) return;
      reported.set(name, { uid, count: notInjected.length });
      try {
        await options.recordEvent({ apiVersion: API_VERSION, kind: KIND, name, uid, resourceVersion: sidecarSet.metadata.resourceVersion }, driftEvent(notInjected), signal);
      } catch (err) {
        // An event is informative only: remember nothing, so the next reconcile tries again.
        reported.set(name, { uid, count: previous });
        options.logger.warn({ sidecarSet: name, ...errorFields(err) }, 'failed to record drift event');
      }
    },
    forget(name) {
      reported.delete(name);
      options.metrics.podsNotInjected.remove({ sidecarset: name });
    },
  };
}
