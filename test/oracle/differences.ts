// The deliberate differences from OpenKruise v1.9.0, in one place: each has a name, the reason we
// decided differently, and the normalisation that removes exactly that difference from a case's two
// outcomes (undefined: does not apply). docs/kruise-differences.md is the same list for readers; a
// test keeps the two in step. Anything not removed by one of these fails the differential tier.
import { isDeepStrictEqual } from 'node:util';
import type { Container, LocalObjectReference, Pod, Volume } from '../../src/api/core.ts';
import type { OracleCase } from './generator.ts';
import { formatFieldError } from '../../src/field-error.ts';
import { validateStructure, withoutNulls } from '../../src/validation/structural.ts';
import { defaultedOrAsIs, type Outcome } from './sides.ts';

export interface DeliberateDifference {
  name: string;
  reason: string;
  normalise(c: OracleCase, ours: Outcome, kruise: Outcome): { ours: Outcome; kruise: Outcome } | undefined;
}

/** Both refusals reduced to "refused for these reasons"; the reasons our side gives for an explained refusal. */
const explainedRefusal = (marker: RegExp) => (c: OracleCase, ours: Outcome, kruise: Outcome) => {
  if (ours.allowed || !(ours.errors ?? []).some((error) => marker.test(error))) return undefined;
  const explained: Outcome = { allowed: false, errors: [`<${marker.source}>`] };
  return { ours: explained, kruise: explained };
};

/** The SidecarSet each injected container came from, by the hash annotation's sidecarList (hot-upgrade names carry -1/-2). */
function sidecarSetOf(pod: Pod): (container: Container) => string {
  const owners = new Map<string, string>();
  try {
    const entries = JSON.parse(pod.metadata?.annotations?.['kruise.io/sidecarset-hash'] ?? '{}') as Record<string, { sidecarList?: string[] }>;
    for (const [name, entry] of Object.entries(entries)) for (const sidecar of entry?.sidecarList ?? []) owners.set(sidecar, name);
  } catch {
    // unparsable: nothing to reorder by
  }
  return (container) => owners.get(container.name) ?? owners.get(container.name.replace(/-[12]$/, '')) ?? '';
}

/** Stable-sorts the runs of containers the injection added (absent from `before`) by their SidecarSet's name. */
function sortInjectedRuns(list: Container[] | undefined, before: readonly { name: string }[] | undefined, owner: (c: Container) => string): Container[] | undefined {
  if (!list) return list;
  const original = new Set((before ?? []).map((item) => item.name));
  const result: Container[] = [];
  let run: Container[] = [];
  const flush = (): void => {
    result.push(...run.map((c, i) => ({ c, i })).sort((a, b) => (owner(a.c) < owner(b.c) ? -1 : owner(a.c) > owner(b.c) ? 1 : a.i - b.i)).map(({ c }) => c));
    run = [];
  };
  for (const container of list) {
    if (original.has(container.name)) {
      flush();
      result.push(container);
    } else run.push(container);
  }
  flush();
  return result;
}

/** The items appended after the original ones, sorted by name (which SidecarSet came first decides their order). */
function sortAppended<T extends { name?: string }>(list: T[] | undefined, before: readonly T[] | undefined): T[] | undefined {
  if (!list) return list;
  const kept = before?.length ?? 0;
  return [...list.slice(0, kept), ...list.slice(kept).sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : 0))];
}

/** Container names that more than one SidecarSet of the case defines: which one lands depends on the order. */
function contestedNames(c: Extract<OracleCase, { kind: 'inject' }>): Set<string> {
  const seen = new Set<string>();
  const contested = new Set<string>();
  for (const s of c.sidecarSets) {
    for (const name of new Set([...(s.spec.containers ?? []), ...(s.spec.initContainers ?? [])].map((x) => x.name))) {
      if (seen.has(name)) contested.add(name);
      seen.add(name);
    }
  }
  return contested;
}

function inSidecarSetNameOrder(c: OracleCase, outcome: Outcome): Outcome {
  if (c.kind !== 'inject' || !outcome.allowed || !outcome.object) return outcome;
  const pod = structuredClone(outcome.object) as Pod;
  const contested = contestedNames(c);
  const placeholder = (x: Container): Container => (contested.has(x.name) ? { name: x.name } : x);
  pod.spec.containers = pod.spec.containers.map(placeholder);
  if (pod.spec.initContainers) pod.spec.initContainers = pod.spec.initContainers.map(placeholder);
  const owner = sidecarSetOf(pod);
  pod.spec.containers = sortInjectedRuns(pod.spec.containers, c.pod.spec.containers, owner)!;
  pod.spec.volumes = sortAppended<Volume>(pod.spec.volumes, c.pod.spec.volumes);
  pod.spec.imagePullSecrets = sortAppended<LocalObjectReference>(pod.spec.imagePullSecrets, c.pod.spec.imagePullSecrets);
  return { ...outcome, object: pod };
}

/** Applied by judge.ts, which needs the oracle's Go types for it. */
export const MINIMAL_DEFAULTING_PATCH = 'minimal defaulting patch';

/** Kubernetes v1.32's environment variable name rule, which Kruise v1.9.0 vendors. */
const STRICT_ENV_NAME = /: Invalid value: .*: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '\.', and must not start with a digit/;

/** The Pod annotations a MergePatchJson entry of a matched SidecarSet writes where the Pod had none (or an empty one). */
function mergePatchedMissingKeys(c: Extract<OracleCase, { kind: 'inject' }>): string[] {
  const before = c.pod.metadata?.annotations ?? {};
  return c.sidecarSets.flatMap((s) => (s.spec.patchPodMetadata ?? []).filter((p) => p.patchPolicy === 'MergePatchJson').flatMap((p) => Object.keys(p.annotations ?? {}))).filter((key) => !before[key]);
}

/** A JSON value with keys sorted and null members removed, as our MergePatchJson stores a patch applied to {}. */
function normalisedJson(text: string): string {
  const prune = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map((item) => (item === null ? item : prune(item)));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, prune(x)]));
    return v;
  };
  try {
    return JSON.stringify(prune(JSON.parse(text)));
  } catch {
    return text;
  }
}

function withNormalisedAnnotations(outcome: Outcome, keys: readonly string[]): Outcome {
  const annotations = (outcome.object as Pod | undefined)?.metadata?.annotations;
  if (!annotations) return outcome;
  const copy = structuredClone(outcome);
  const copied = (copy.object as Pod).metadata!.annotations!;
  for (const key of keys) if (copied[key] !== undefined) copied[key] = normalisedJson(copied[key]);
  return copy;
}

/** How Go's %#v starts a composite value: `v1.LabelSelector{`, `map[`, `[]string{`, `&v1.X{`, `(*bool)(`, `"&{`. */
const GO_COMPOSITE = /^(?:&?[\w.]*\{|map\[|\[\]|\(\*|"&\{)/;

/** Where Kruise reports what we report at its full path (an error text or a bare field path). */
const KRUISE_PATHS: Array<[RegExp, string]> = [
  [/^spec\.containers\[(\d+)\]\.transferEnv\[\d+\]\.sourceContainerNameFrom\.fieldRef\./, 'spec[$1].transferEnv.fieldRef.'],
  [/^spec\.patchPodMetadata\[\d+\]\.annotations(?=[:[]|$)/, 'patchPodMetadata.annotations'],
  [/^spec\.(?:containers|initContainers)\[(\d+)\]\.resourcesPolicy(?=[:.]|$)/, 'spec[$1].resourcesPolicy'],
];
const kruisePath = (text: string): string => KRUISE_PATHS.reduce((result, [from, to]) => result.replace(from, to), text);

/** Whether `printed` is how Kubernetes v1.32 prints the value we print as JSON (`value`). */
function isGoPrinting(printed: string, value: unknown): boolean {
  if (value === null || value === undefined) return printed === '"null"';
  if (typeof value === 'string') return printed === value || GO_COMPOSITE.test(printed); // a named string type: unquoted
  return GO_COMPOSITE.test(printed);
}

/** Kruise's texts of our errors where only the printing of the value differs. */
function withJsonValues(ours: Outcome, kruise: Outcome): Outcome {
  const replacements = new Map<string, string>();
  for (const error of ours.fieldErrors ?? []) {
    if (!('value' in error)) continue;
    const field = kruisePath(error.field);
    const prefix = `${field ? `${field}: ` : ''}${error.type}: `;
    const suffix = error.detail ? `: ${error.detail}` : '';
    for (const text of kruise.errors ?? []) {
      if (text.length < prefix.length + suffix.length || !text.startsWith(prefix) || !text.endsWith(suffix)) continue;
      if (isGoPrinting(text.slice(prefix.length, text.length - suffix.length), error.value)) replacements.set(text, formatFieldError({ ...error, field }));
    }
  }
  return replacements.size === 0 ? kruise : { ...kruise, errors: kruise.errors!.map((text) => replacements.get(text) ?? text) };
}

const isInjected = (container: Container): boolean => container.env?.find((env) => env.name === 'IS_INJECTED')?.value === 'true';

/**
 * An injection outcome without the mounts, devices and env vars of its sidecars that are named like
 * those of Pod containers a sidecar of the same name replaces: what the two sides copy there differs by
 * that rule (Kruise copies the replaced container's, we the next source's or none).
 */
function withoutReplacedSources(c: Extract<OracleCase, { kind: 'inject' }>, outcome: Outcome): Outcome | undefined {
  if (!outcome.allowed) return undefined;
  const sidecarNames = new Set(c.sidecarSets.flatMap((s) => [...(s.spec.containers ?? []), ...(s.spec.initContainers ?? [])].map((x) => x.name)));
  const replaced = (c.pod.spec.containers ?? []).filter((container) => sidecarNames.has(container.name) && !isInjected(container));
  if (replaced.length === 0) return undefined;
  const copy = structuredClone(outcome);
  const fields = ['volumeMounts', 'volumeDevices', 'env'] as const;
  for (const list of ['containers', 'initContainers'] as const) {
    for (const container of (copy.object as Pod).spec[list] ?? []) {
      if (!isInjected(container)) continue;
      for (const field of fields) {
        const names = new Set(replaced.flatMap((r) => ((r[field] as { name: string }[] | undefined) ?? []).map((item) => item.name)));
        const items = container[field] as { name: string }[] | undefined;
        if (!items) continue;
        const kept = items.filter((item) => !names.has(item.name) || (field === 'env' && item.name === 'IS_INJECTED'));
        if (kept.length > 0) (container as Record<string, unknown>)[field] = kept;
        else delete (container as Record<string, unknown>)[field];
      }
    }
  }
  return copy;
}

/** Kruise's Pod with the injected containers ours kept unchanged from the Pod it was given. */
function withKeptSidecars(c: Extract<OracleCase, { kind: 'inject' }>, ours: Outcome, kruise: Outcome): Outcome | undefined {
  if (!c.reinject || !ours.allowed || !kruise.allowed) return undefined;
  const copy = structuredClone(kruise);
  const oursPod = ours.object as Pod;
  for (const list of ['containers', 'initContainers'] as const) {
    for (const given of c.pod.spec[list] ?? []) {
      if (!isInjected(given)) continue;
      const mine = oursPod.spec[list]?.find((x) => x.name === given.name);
      const theirs = (copy.object as Pod).spec[list] ?? [];
      const index = theirs.findIndex((x) => x.name === given.name);
      if (mine && index >= 0 && isDeepStrictEqual(mine, given)) theirs[index] = structuredClone(given);
    }
  }
  return copy;
}

const CONFLICT = /^(spec\.(?:containers|volumes|patchPodMetadata): Invalid value: .*(?: already exist in | is in conflict with sidecarset ))(\S+)$/;

/** How many of the other SidecarSets define this container name, volume name or patched annotation key. */
function definers(c: Extract<OracleCase, { kind: 'validate' }>, list: string, name: string): number {
  return c.others.filter((other) => {
    const spec = other.spec;
    if (list === 'containers') return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].some((x) => x.name === name);
    if (list === 'volumes') return (spec.volumes ?? []).some((v) => v.name === name);
    return (spec.patchPodMetadata ?? []).some((p) => Object.hasOwn(p.annotations ?? {}, name));
  }).length;
}

/**
 * Ours with each group of conflicts that differ only in the other SidecarSet's name cut to the one Kruise
 * names; and without the conflicts Kruise misses because a later SidecarSet of the same name overwrote
 * the conflicting one in its lookup map.
 */
function withKruisesConflict(c: Extract<OracleCase, { kind: 'validate' }>, ours: Outcome, kruise: Outcome): Outcome {
  let errors = (ours.errors ?? []).filter((e) => {
    const match = CONFLICT.exec(e);
    if (!match || (kruise.errors ?? []).some((k) => CONFLICT.exec(k)?.[1] === match[1])) return true;
    const [, list, name] = /^spec\.(\w+): Invalid value: "(.*?)": /.exec(e) ?? [];
    return definers(c, list, name) < 2;
  });
  for (const text of kruise.errors ?? []) {
    const match = CONFLICT.exec(text);
    if (!match || !errors.includes(text)) continue;
    errors = errors.filter((e) => e === text || CONFLICT.exec(e)?.[1] !== match[1]);
  }
  if (errors.length === (ours.errors ?? []).length) return ours;
  return errors.length > 0 ? { ...ours, errors } : { allowed: true };
}

const QUANTITY_SYNTAX = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export const DIFFERENCES: readonly DeliberateDifference[] = [
  {
    name: 'name-ordered injection',
    reason: 'SidecarSets are injected in name order, so a Pod always comes out the same; Kruise takes its cache\'s order (namespace-scoped SidecarSets first, then the others, in map order in a real informer), which decides the order of their sidecars, volumes and pull secrets, and which of two SidecarSets replacing the same Pod container wins',
    normalise: (c, ours, kruise) => (c.kind === 'inject' ? { ours: inSidecarSetNameOrder(c, ours), kruise: inSidecarSetNameOrder(c, kruise) } : undefined),
  },
  {
    name: 'denials are 4xx',
    reason: 'a refused object is the client\'s fault: 403 (injection) or 422 (field errors), never Kruise\'s 500, which clients retry and alert on',
    normalise: (_c, ours, kruise) => (!ours.allowed && !kruise.allowed ? { ours: { ...ours, code: undefined }, kruise: { ...kruise, code: undefined } } : undefined),
  },
  {
    name: 'conflicts explain the overlap',
    reason: 'a conflict with another SidecarSet names it and shows the selectors (and namespaces) that overlap (docs/decisions/conflict-messages-name-the-other-sidecarset.md); Kruise\'s message names the other SidecarSet only',
    normalise: (c, ours, kruise) => {
      if (c.kind !== 'validate' || ours.allowed) return undefined;
      const rewrites: Array<[RegExp, string]> = [
        [/container (\S+) is already injected by SidecarSet (\S+): its selector .*$/, 'container $1 already exist in $2'],
        [/volume (\S+) is defined differently by SidecarSet (\S+): its selector .*$/, 'volume $1 is in conflict with sidecarset $2'],
        [/annotation (\S+) is also patched by SidecarSet (\S+): its selector .*$/, 'annotation $1 is in conflict with sidecarset $2'],
      ];
      const errors = ours.errors!.map((e) => rewrites.reduce((text, [from, to]) => text.replace(from, to), e));
      return errors.some((e, i) => e !== ours.errors![i]) ? { ours: { ...ours, errors }, kruise } : undefined;
    },
  },
  {
    name: 'values printed as JSON',
    reason: 'a bad value is printed as JSON, as Kubernetes v1.37\'s field errors print it ({"matchLabels":...}, "Bad Name", null); Kruise\'s v1.32 prints Go\'s %#v of internal types (with pointer addresses that change from run to run), named strings unquoted and nil as "null"',
    normalise: (c, ours, kruise) => (c.kind === 'validate' && !kruise.allowed ? { ours, kruise: withJsonValues(ours, kruise) } : undefined),
  },
  {
    name: MINIMAL_DEFAULTING_PATCH,
    reason: 'our SidecarSet defaulting patches in only the defaults it sets; Kruise re-encodes the whole object through its Go types, which adds empty objects (resources: {}, injectionStrategy: {}, a zero status) and drops empty lists and maps; the values are the same',
    normalise: () => undefined,
  },
  {
    name: 'injection refusals name their cause',
    reason: 'a refused Pod is told which SidecarSet and which field refused it (e.g. "no ControllerRevision of SidecarSet x has label ...=v9"); Kruise passes on the error of whichever call failed ("ControllerRevision.apps \"x\" not found")',
    normalise: (c, ours, kruise) => (c.kind === 'inject' && !ours.allowed && !kruise.allowed ? { ours: { ...ours, errors: undefined }, kruise: { ...kruise, errors: undefined } } : undefined),
  },
  {
    name: 'duplicate sidecar names refused',
    reason: 'two SidecarSets adding a container of the same name to one Pod refuse the Pod with both names; Kruise hands the apiserver a Pod with two containers of that name, which it refuses with a less helpful message',
    normalise: explainedRefusal(/both add a container named/),
  },
  {
    name: 'reinjection keeps injected sidecars',
    reason: 'injecting a Pod again (webhook reinvocation) keeps the sidecars it already carries for the SidecarSet hash it records, so what a later webhook added to them survives; Kruise rebuilds and overwrites them, and may rebuild them differently since the Pod now holds its own sidecars',
    normalise: (c, ours, kruise) => {
      if (c.kind !== 'inject') return undefined;
      const normalised = withKeptSidecars(c, ours, kruise);
      return normalised ? { ours, kruise: normalised } : undefined;
    },
  },
  {
    name: 'replaced containers are not sources',
    reason: 'a Pod container that a sidecar of the same name replaces gives nothing to shareVolumePolicy or transferEnv: Kruise reads it before overwriting it, so injecting the already-injected Pod again would see other sources than the first time',
    normalise: (c, ours, kruise) => {
      if (c.kind !== 'inject') return undefined;
      const [mine, theirs] = [withoutReplacedSources(c, ours), withoutReplacedSources(c, kruise)];
      return mine && theirs ? { ours: mine, kruise: theirs } : undefined;
    },
  },
  {
    name: 'MergePatchJson onto a missing annotation',
    reason: 'where the Pod has no such annotation we store the patch applied to {} (keys sorted, nulls dropped) rather than the patch text, so that injecting the same Pod twice gives the same Pod',
    normalise: (c, ours, kruise) => {
      if (c.kind !== 'inject') return undefined;
      const keys = mergePatchedMissingKeys(c);
      return keys.length === 0 ? undefined : { ours: withNormalisedAnnotations(ours, keys), kruise: withNormalisedAnnotations(kruise, keys) };
    },
  },
  {
    name: 'Kubernetes v1.37 field rules',
    reason: 'container fields are validated by the rules of the Kubernetes version we build against (v1.37: relaxed environment variable names since v1.34); Kruise v1.9.0 vendors v1.32\'s stricter ones, which the apiserver itself no longer applies',
    normalise: (_c, ours, kruise) => {
      if (kruise.allowed || !(kruise.errors ?? []).some((e) => STRICT_ENV_NAME.test(e))) return undefined;
      const errors = kruise.errors!.filter((e) => !STRICT_ENV_NAME.test(e));
      if (errors.length > 0) return { ours, kruise: { ...kruise, errors } };
      // Kruise stopped before the conflicts with other SidecarSets, which only run on an otherwise valid object.
      const onlyConflicts = !ours.allowed && (ours.errors ?? []).every((e) => CONFLICT.test(e));
      return { ours: onlyConflicts ? { allowed: true } : ours, kruise: { allowed: true } };
    },
  },
  {
    name: 'v1alpha1 owner references',
    reason: 'we serve and store apps.kruise.io/v1alpha1 (Kruise v1.8\'s layout), so ControllerRevisions name a v1alpha1 owner; Kruise v1.9.0 reconciles its v1beta1 storage version and names that',
    normalise: (c, ours, kruise) => {
      if (c.kind !== 'revision' || !kruise.object) return undefined;
      const copy = structuredClone(kruise);
      for (const owner of (copy.object as { metadata: { ownerReferences?: { apiVersion: string }[] } }).metadata.ownerReferences ?? []) {
        if (owner.apiVersion === 'apps.kruise.io/v1beta1') owner.apiVersion = 'apps.kruise.io/v1alpha1';
      }
      return { ours, kruise: copy };
    },
  },
  {
    name: 'unknown fields refused',
    reason: 'a misspelt field (imagePullPolcy) is refused with the field named; Kruise drops it silently while decoding and injects the sidecar without it',
    normalise: explainedRefusal(/unknown field/),
  },
  {
    name: 'schema checked first',
    reason: 'a SidecarSet that breaks the schema (a value outside an enum, a wrong type) gets the schema\'s errors only, as the apiserver refuses it for the CRD schema before any validating webhook runs; Kruise\'s handler goes on to judge fields of a half-valid object',
    normalise: (c, ours, kruise) => {
      if (c.kind !== 'validate' || ours.allowed || validateStructure(withoutNulls(defaultedOrAsIs(c.sidecarSet))).length === 0) return undefined;
      const explained: Outcome = { allowed: false, errors: ['<schema errors>'] };
      return kruise.allowed ? undefined : { ours: explained, kruise: explained };
    },
  },
  {
    name: 'namespace and namespaceSelector exclusive',
    reason: 'a SidecarSet may name a namespace or select namespaces, not both, as in Kruise v1.8 (our v1alpha1 layout); Kruise v1.9.0 accepts both and its conversion to v1beta1 then keeps only one of them, silently',
    normalise: explainedRefusal(/namespace and namespaceSelector are mutually exclusive/),
  },
  {
    name: 'unknown policy values refused',
    reason: 'a patchPodMetadata policy other than Retain, Overwrite or MergePatchJson, or a resourcesPolicy targetContainersMode other than sum or max, is refused; Kruise accepts them and then silently patches or computes nothing',
    normalise: (c, ours, kruise) => {
      const marker = /^spec\.(?:patchPodMetadata\[\d+\]\.patchPolicy|(?:containers|initContainers)\[\d+\]\.resourcesPolicy\.targetContainersMode): Unsupported value: /;
      if (c.kind !== 'validate' || ours.allowed || !(ours.errors ?? []).some((e) => marker.test(e))) return undefined;
      const errors = ours.errors!.filter((e) => !marker.test(e));
      const fieldErrors = ours.fieldErrors?.filter((e) => !marker.test(formatFieldError(e)));
      if (errors.length > 0) return { ours: { ...ours, errors, fieldErrors }, kruise };
      // We stopped before the conflicts with other SidecarSets, which only run on an otherwise valid object.
      const onlyConflicts = !kruise.allowed && (kruise.errors ?? []).every((e) => CONFLICT.test(e));
      return { ours: { allowed: true }, kruise: onlyConflicts ? { allowed: true } : kruise };
    },
  },
  {
    name: 'indexed field paths',
    reason: 'a bad transferEnv fieldRef is reported at spec.containers[i].transferEnv[j].sourceContainerNameFrom.fieldRef, a bad patchPodMetadata annotation at spec.patchPodMetadata[i].annotations, a bad resourcesPolicy at spec.containers[i].resourcesPolicy (or spec.initContainers[i]); Kruise\'s paths there (spec[i].transferEnv.fieldRef, patchPodMetadata.annotations, spec[i].resourcesPolicy) lose the list, the entry or the spec prefix',
    normalise: (c, ours, kruise) => {
      if (c.kind !== 'validate' || !(ours.errors ?? []).some((e) => kruisePath(e) !== e)) return undefined;
      return { ours: { ...ours, errors: ours.errors!.map(kruisePath) }, kruise };
    },
  },
  {
    name: 'revision lookup says what is missing',
    reason: 'a pinned customVersion that no ControllerRevision carries is reported as such (no ControllerRevision of SidecarSet x has label ...=v2); Kruise reports a not-found ControllerRevision named like the SidecarSet, which does not exist either way',
    normalise: (c, ours, kruise) => {
      const ourText = /^(revision: Invalid value: null: Cannot find specific ControllerRevision, err: )no ControllerRevision of SidecarSet (\S+) has label /;
      if (c.kind !== 'validate' || ours.allowed || kruise.allowed) return undefined;
      const errors = (ours.errors ?? []).map((e) => {
        const match = ourText.exec(e);
        return match ? `revision: Invalid value: "null": Cannot find specific ControllerRevision, err: ControllerRevision.apps "${match[2]}" not found` : e;
      });
      return errors.some((e, i) => e !== ours.errors![i]) ? { ours: { ...ours, errors }, kruise } : undefined;
    },
  },
  {
    name: 'every conflicting SidecarSet named',
    reason: 'a container, volume or annotation that clashes with several other SidecarSets gets one error per SidecarSet; Kruise keeps only the last SidecarSet its cache lists for each name, so it names one, or none when that last one happens not to clash',
    normalise: (c, ours, kruise) => (c.kind === 'validate' && !ours.allowed ? { ours: withKruisesConflict(c, ours, kruise), kruise } : undefined),
  },
  {
    name: 'unparsable quantities are field errors',
    reason: 'a resource quantity that does not parse is reported at its field with every other error; Kruise fails to decode the object and answers the bare parser message',
    normalise: (c, ours, kruise) => {
      const isQuantityError = (e: string): boolean => e.endsWith(`: ${QUANTITY_SYNTAX}`);
      if (c.kind !== 'validate' || ours.allowed || kruise.errors?.length !== 1 || kruise.errors[0] !== QUANTITY_SYNTAX || !ours.errors!.some(isQuantityError)) return undefined;
      const explained: Outcome = { allowed: false, errors: ['<unparsable quantity>'] };
      return { ours: explained, kruise: explained };
    },
  },
  {
    name: 'native sidecars upgraded in place',
    reason: 'a RollingUpdate SidecarSet with native sidecars (init containers with restartPolicy Always) is admitted, their images are upgraded in place as the kubelet restarts them; Kruise refuses it (its rule 9), before checking anything else',
    normalise: (_c, _ours, kruise) => {
      if (kruise.allowed || !(kruise.errors ?? []).some((error) => error.includes('The initContainer in-place upgrade is not currently supported.'))) return undefined;
      const settled: Outcome = { allowed: false, errors: ['<rule 9 lifted>'] };
      return { ours: settled, kruise: settled };
    },
  },
  {
    name: 'error order',
    reason: 'every field error is listed, in the order of our rules (metadata, selectors, strategies, containers, resourcesPolicy, patchPodMetadata); Kruise\'s single function interleaves some of them differently (resourcesPolicy before the containers\' Kubernetes checks, for one). Compared last, as sets, once every other difference is accounted for',
    normalise: (c, ours, kruise) => {
      if (c.kind !== 'validate' || ours.allowed || kruise.allowed) return undefined;
      return { ours: { ...ours, errors: [...ours.errors!].sort() }, kruise: { ...kruise, errors: [...kruise.errors!].sort() } };
    },
  },
  {
    name: 'not supported yet',
    reason: 'canary SidecarSets (the apps.kruise.io/sidecarset-base and -canary annotations) are refused clearly until we implement them, rather than accepted and half-honoured',
    normalise: explainedRefusal(/not supported yet/),
  },
];
