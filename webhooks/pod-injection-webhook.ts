// The Pod mutating webhook (Kruise's mpod.kb.io, /mutate-pod): on CREATE, injects the sidecars of
// every matching SidecarSet and answers with the JSON Patch built from the injection's changes.
// Everything comes from the caches; the SidecarSets are prepared for injection once per change of
// the SidecarSet cache, not per request.
import type { Namespace, Pod } from '../src/api/core.ts';
import { LABEL_INJECT, type SidecarSet } from '../src/api/sidecarset.ts';
import { injectPod } from '../src/injection/inject-pod.ts';
import { InjectionError } from '../src/injection/injection-error.ts';
import { injectionPatch } from '../src/injection/patch.ts';
import { prepareSidecarSets, type PreparedSidecarSets } from '../src/injection/prepared-sidecarsets.ts';
import { podNamespaceName } from '../src/matching.ts';
import { formatFieldError } from '../src/field-error.ts';
import { prunedPodShape } from '../src/validation/pod-shape.ts';
import { allow, allowDespite, badRequest, forbidden, Rejection, type AdmissionOutcome, type AdmissionWebhook } from './admission-outcome.ts';
import type { AdmissionRequest } from './admission-review.ts';
import { notReadyDenial, type AdmissionCaches } from './admission-caches.ts';
import { ONE_OBJECT_REVIEW_BYTES } from './review-size.ts';
import { operatorConfigurationReader } from './operator-configuration.ts';
import { outOfScope } from './request-scope.ts';

export const POD_INJECTION_PATH = '/mutate-pod';

export interface PodInjectionSettings {
  caches: AdmissionCaches;
  /**
   * Namespaces whose Pods are never injected (kube-system, the operator's, configured ones). The
   * webhook configuration excludes them too; the handler checks again, so that a Pod sent straight
   * to the endpoint, or through a configuration edited by hand, is not injected either.
   */
  excludedNamespaces: readonly string[];
  /** Where the operator's ConfigMap lives (its security policy's secretTransferEnv rule applies here). */
  operatorNamespace: string;
  whitelistConfigMap: string;
  /** How long to wait for a namespace created a moment ago to reach the cache. Default 2 s. */
  namespaceWaitMs?: number;
}

const NAMESPACE_POLL_MS = 50;

export function podInjectionWebhook(settings: PodInjectionSettings): AdmissionWebhook {
  const { caches } = settings;
  const excluded = new Set(settings.excludedNamespaces);
  const readConfiguration = operatorConfigurationReader(caches.whitelist, settings.operatorNamespace, settings.whitelistConfigMap);
  // An unreadable policy counts as one that refuses: an administrator meant to restrict something.
  const refusesSecretTransferEnv = (): boolean => {
    const { policy, policyErrors } = readConfiguration();
    return policyErrors !== undefined || (policy?.enabled === true && !policy.allowSecretTransferEnv);
  };
  const scope = { path: POD_INJECTION_PATH, group: '', resource: 'pods', operations: ['CREATE'] as const };
  const prepared = preparedOnChange(() => caches.sidecarSets.list());

  /** `namespace` undefined: not cached, so no namespaceSelector matches (and `warnings` says why when it matters). */
  const inject = (pod: Pod, name: string, namespace: Namespace | undefined, sidecarSets: PreparedSidecarSets, warnings: string[] = []): AdmissionOutcome => {
    let result;
    try {
      result = injectPod({
        pod,
        namespace: { name, labels: namespace && (namespace.metadata.labels ?? {}) },
        sidecarSets,
        revisions: caches.revisions.list(),
        now: new Date(),
        random: Math.random,
        refuseSecretTransferEnv: refusesSecretTransferEnv(),
      });
    } catch (error) {
      if (error instanceof InjectionError) throw new Rejection(forbidden(error.message));
      throw error;
    }
    warnings.push(...result.warnings);
    if (!result.changed) return allow({ warnings });
    return allow({ patch: injectionPatch(pod, result.changes), warnings, injected: result.injected });
  };

  // A Pod can only be created in an existing namespace, so a miss is watch lag: wait a little for the
  // namespace, but only when some SidecarSet that may inject selects namespaces by label.
  const injectOnceNamespaceKnown = async (pod: Pod, name: string): Promise<AdmissionOutcome> => {
    const deadline = Date.now() + (settings.namespaceWaitMs ?? 2_000);
    let namespace: Namespace | undefined;
    while (!namespace && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, NAMESPACE_POLL_MS));
      namespace = caches.namespaces.get(name);
    }
    const warnings = namespace ? [] : [`namespace ${name} not yet cached: SidecarSets with a namespaceSelector skipped`];
    return inject(pod, name, namespace, prepared(), warnings);
  };

  return {
    name: 'mutate-pod',
    path: POD_INJECTION_PATH,
    mutating: true,
    maxBodyBytes: ONE_OBJECT_REVIEW_BYTES,
    admit(request) {
      const skip = outOfScope(request, scope);
      if (skip) return skip;
      const pod = requirePod(request);
      const name = podNamespaceName(pod, request.namespace);
      if (excluded.has(name) || pod.metadata?.labels?.[LABEL_INJECT] === 'false') return allow();
      const notSynced = notReadyDenial({ sidecarSets: caches.sidecarSets, namespaces: caches.namespaces, revisions: caches.revisions, whitelist: caches.whitelist });
      if (notSynced) return notSynced;

      const namespace = caches.namespaces.get(name);
      const sidecarSets = prepared();
      if (namespace || !sidecarSets.items.some((item) => item.sidecarSet.spec?.namespaceSelector)) return inject(pod, name, namespace, sidecarSets);
      return injectOnceNamespaceKnown(pod, name);
    },
    // A bug must not stop Pod creation cluster-wide: admit unchanged, loudly (log, metric, warning).
    onInternalError: (error) => allowDespite(error, 'Pod admitted without sidecar injection after an internal error'),
  };
}

const SHAPE_ERRORS_SHOWN = 3;

/**
 * The Pod in `object`, without null-valued fields (as Go decodes them); a 400 Rejection when the
 * request carries nothing of a Pod's shape. The patch built from the copy applies to the original:
 * it only adds where the copy has nothing, and `add` replaces a null.
 */
function requirePod(request: AdmissionRequest): Pod {
  const object = request.object;
  if (!object) throw new Rejection(badRequest(`request.object is required for ${request.operation}`));
  const { pod, errors } = prunedPodShape(object);
  if (errors.length > 0) {
    const shown = errors.slice(0, SHAPE_ERRORS_SHOWN).map(formatFieldError).join('; ');
    const more = errors.length > SHAPE_ERRORS_SHOWN ? ` (and ${errors.length - SHAPE_ERRORS_SHOWN} more)` : '';
    throw new Rejection(badRequest(`request.object is not a Pod: ${shown}${more}`));
  }
  return pod as Pod;
}

/**
 * prepareSidecarSets() of the cache's list, recomputed only when the list changed. The cache keeps
 * the same object for an unchanged SidecarSet, so comparing elements by identity is exact and cheap.
 */
function preparedOnChange(list: () => SidecarSet[]): () => PreparedSidecarSets {
  let last: SidecarSet[] = [];
  let prepared = prepareSidecarSets(last);
  return () => {
    const current = list();
    if (current.length !== last.length || current.some((sidecarSet, index) => sidecarSet !== last[index])) {
      prepared = prepareSidecarSets(current);
      last = current;
    }
    return prepared;
  };
}
