// core/v1 Events the controller records, about a SidecarSet or a Pod. An Event is informative only:
// a failure to record one is logged by the caller and never fails a reconcile.
import type { KubeConfig } from '@kubernetes/client-node';
import { requestJson } from '../src/kube/kube-http.ts';
import { formatMetaTime } from '../src/meta-time.ts';

export const EVENT_COMPONENT = 'sidecarset-controller';
/** Events about cluster-scoped objects go to the default namespace, as client-go's recorder does. */
const CLUSTER_SCOPED_EVENT_NAMESPACE = 'default';

export interface EventSubject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface ControllerEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** `signal` aborts the write (e.g. leadership lost). */
export type EventRecorder = (subject: EventSubject, event: ControllerEvent, signal?: AbortSignal) => Promise<void>;

export function createEventRecorder(kubeConfig: KubeConfig, identity: string): EventRecorder {
  return async (subject, event, signal) => {
    const namespace = subject.namespace || CLUSTER_SCOPED_EVENT_NAMESPACE;
    const now = formatMetaTime(new Date());
    await requestJson(kubeConfig, {
      method: 'POST',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
      body: {
        metadata: { generateName: `${subject.name}.`, namespace },
        involvedObject: subject,
        type: event.type,
        reason: event.reason,
        // The apiserver refuses messages over 1 KiB.
        message: event.message.length > 1000 ? `${event.message.slice(0, 997)}...` : event.message,
        source: { component: EVENT_COMPONENT },
        reportingComponent: EVENT_COMPONENT,
        reportingInstance: identity,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
      signal,
    });
  };
}
