// Why a Pod gets, or does not get, each SidecarSet's sidecars (`sidecarset explain`). Every answer comes
// from the code the webhook runs: the Pod webhook registration's selectors as the apiserver applies them
// (pod-webhook-scope.ts), the SidecarSets' compiled matchers (matching.ts), and injectPod itself for
// what happens to the matched ones, refusals included.
import type { ControllerRevision, Pod } from '../api/core.ts';
import type { SidecarSet } from '../api/sidecarset.ts';
import { compareGoStrings } from '../go-order.ts';
import { formatSelector, LabelSelectorError, type CompiledRequirement, type Labels } from '../label-selector.ts';
import { isActivePod, type Mismatch, type PodNamespace } from '../matching.ts';
import { NAMESPACE_NAME_LABEL, podWebhookExclusion, type PodWebhookSelectors, type ScopeExclusion } from '../pod-webhook-scope.ts';
import { injectPod, matchedNamespace } from './inject-pod.ts';
import { InjectionError, type RefusalReason } from './injection-error.ts';
import { isInjectedContainer } from './pod-sources.ts';
import { prepareSidecarSets } from './prepared-sidecarsets.ts';
import { sidecarUpgrade, type SidecarUpgrade } from '../status/sidecar-upgrade.ts';

export type VerdictReason =
  | 'injected'
  | 'replaces-container'
  | 'no-webhook'
  | ScopeExclusion['reason']
  | 'inactive-pod'
  | 'paused'
  | Mismatch['reason']
  | RefusalReason;

export interface SidecarSetVerdict {
  sidecarSet: string;
  injected: boolean;
  reason: VerdictReason;
  /** The reason in plain words. */
  message: string;
  /** For an existing Pod: whether it runs this SidecarSet's current version (absent when it records none and is not matched). */
  upgrade?: SidecarUpgrade;
}

export interface PodExplanation {
  namespace: string;
  sidecarSets: SidecarSetVerdict[];
  /** What the webhook would add as admission warnings. */
  warnings: string[];
}

/** How the apiserver decides to call the Pod webhook: its registered selectors, none registered, or not considered. */
export type PodWebhookRegistration = { selectors: PodWebhookSelectors } | { missing: string } | 'ignored';

export interface ExplainInput {
  pod: Pod;
  namespace: PodNamespace;
  sidecarSets: readonly SidecarSet[];
  revisions: readonly ControllerRevision[];
  webhook: PodWebhookRegistration;
  /** The Pod exists: report whether it runs each SidecarSet's current version. */
  existing: boolean;
  now: Date;
  random: () => number;
}

export function explainInjection(input: ExplainInput): PodExplanation {
  const { pod } = input;
  const namespace = matchedNamespace(pod, input.namespace);
  const labels = pod.metadata?.labels;
  const names = input.sidecarSets.map((sidecarSet) => sidecarSet.metadata.name ?? '').sort(compareGoStrings);
  const explanation: PodExplanation = { namespace: namespace.name, sidecarSets: [], warnings: [] };
  const finish = (verdicts: SidecarSetVerdict[]): PodExplanation => {
    explanation.sidecarSets = input.existing ? withUpgrades(verdicts, input) : verdicts;
    return explanation;
  };
  const everyone = (reason: VerdictReason, message: string): PodExplanation =>
    finish(names.map((sidecarSet) => ({ sidecarSet, injected: false, reason, message })));

  if (input.webhook !== 'ignored') {
    if ('missing' in input.webhook) return everyone('no-webhook', input.webhook.missing);
    const namespaceLabels = namespace.labels ?? { [NAMESPACE_NAME_LABEL]: namespace.name };
    const exclusion = podWebhookExclusion(input.webhook.selectors, labels, namespaceLabels);
    if (exclusion) return everyone(exclusion.reason, exclusionMessage(exclusion, namespace.name, labels, namespaceLabels));
  }
  if (!isActivePod(pod)) {
    const state = pod.metadata?.deletionTimestamp ? 'being deleted' : `in phase ${pod.status?.phase}`;
    return everyone('inactive-pod', `the Pod is ${state}: only active Pods are injected`);
  }

  const prepared = prepareSidecarSets(input.sidecarSets);
  const verdicts = new Map<string, SidecarSetVerdict>();
  for (const sidecarSet of prepared.paused) {
    verdicts.set(sidecarSet, { sidecarSet, injected: false, reason: 'paused', message: 'injection is paused (spec.injectionStrategy.paused: true)' });
  }
  const matched: string[] = [];
  for (const item of prepared.items) {
    let mismatch: Mismatch | undefined;
    try {
      mismatch = item.match(labels, namespace);
    } catch (error) {
      if (!(error instanceof LabelSelectorError)) throw error;
      matched.push(item.name); // injectPod refuses the Pod for it, below
      continue;
    }
    if (mismatch) verdicts.set(item.name, { sidecarSet: item.name, injected: false, reason: mismatch.reason, message: mismatchMessage(mismatch, namespace, labels) });
    else matched.push(item.name);
  }

  if (matched.length > 0) {
    try {
      const result = injectPod({ pod, namespace: input.namespace, sidecarSets: prepared, revisions: input.revisions, now: input.now, random: input.random });
      explanation.warnings.push(...result.warnings);
      const appContainers = new Set([...(pod.spec.initContainers ?? []), ...pod.spec.containers].filter((container) => !isInjectedContainer(container)).map((container) => container.name));
      for (const item of prepared.items.filter((candidate) => matched.includes(candidate.name))) {
        const replaced = item.latest.podContainerNames.filter((name) => appContainers.has(name));
        const selected = `selected by spec.selector ${formatSelector(item.sidecarSet.spec.selector)}`;
        verdicts.set(item.name, replaced.length > 0
          ? { sidecarSet: item.name, injected: true, reason: 'replaces-container', message: `${selected}; its container ${replaced.join(', ')} replaces the Pod's own container of that name` }
          : { sidecarSet: item.name, injected: true, reason: 'injected', message: selected });
      }
    } catch (error) {
      if (!(error instanceof InjectionError)) throw error;
      for (const sidecarSet of matched) verdicts.set(sidecarSet, { sidecarSet, injected: false, reason: error.reason, message: `the webhook refuses the Pod: ${error.message}` });
    }
  }
  return finish(names.map((name) => verdicts.get(name)!));
}

function withUpgrades(verdicts: SidecarSetVerdict[], input: ExplainInput): SidecarSetVerdict[] {
  const byName = new Map(input.sidecarSets.map((sidecarSet) => [sidecarSet.metadata.name ?? '', sidecarSet]));
  return verdicts.map((verdict) => {
    const upgrade = sidecarUpgrade(input.pod, byName.get(verdict.sidecarSet)!, input.revisions);
    return upgrade.state === 'not-recorded' && !verdict.injected ? verdict : { ...verdict, upgrade };
  });
}

/** `label app is "api"` or `label app is not set`. */
function labelState(labels: Labels | undefined, key: string): string {
  return labels !== undefined && Object.hasOwn(labels, key) ? `label ${key} is ${JSON.stringify(labels[key])}` : `label ${key} is not set`;
}

function unmet(requirement: CompiledRequirement, labels: Labels | undefined): string {
  return `${requirement.text} (${labelState(labels, requirement.key)})`;
}

function mismatchMessage(mismatch: Mismatch, namespace: PodNamespace, labels: Labels | undefined): string {
  switch (mismatch.reason) {
    case 'namespace':
      return `the Pod is in namespace ${namespace.name}, but spec.namespace is ${mismatch.namespace}`;
    case 'namespace-labels-unknown':
      return `spec.namespaceSelector needs the labels of namespace ${namespace.name}, which are unknown: no namespaceSelector matches`;
    case 'namespace-selector':
      return `namespace ${namespace.name} does not meet spec.namespaceSelector: ${unmet(mismatch.requirement, namespace.labels)}`;
    case 'namespace-selector-invalid':
      return `spec.namespaceSelector is invalid (${mismatch.message}): it selects no namespace`;
    case 'no-selector':
      return 'spec.selector is empty: it selects no Pod';
    case 'selector':
      return `the Pod does not meet spec.selector: ${unmet(mismatch.requirement, labels)}`;
  }
}

/** Why the apiserver does not call the webhook for this Pod, in plain words (also `inject`'s note). */
export function exclusionMessage(exclusion: ScopeExclusion, namespace: string, podLabels: Labels | undefined, namespaceLabels: Labels): string {
  const rule = `the Pod webhook's ${exclusion.selector} requires ${exclusion.requirement.text}`;
  switch (exclusion.reason) {
    case 'excluded-namespace':
      return `namespace ${namespace} is excluded: ${rule}`;
    case 'opt-out':
      return `the Pod opts out with its label ${exclusion.requirement.key}=${podLabels?.[exclusion.requirement.key]}: ${rule}`;
    case 'webhook-namespace-selector':
      return `the apiserver does not send the Pod to the webhook: ${rule} (namespace ${namespace}: ${labelState(namespaceLabels, exclusion.requirement.key)})`;
    case 'webhook-object-selector':
      return `the apiserver does not send the Pod to the webhook: ${rule} (${labelState(podLabels, exclusion.requirement.key)})`;
  }
}
