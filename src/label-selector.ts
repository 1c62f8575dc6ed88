// metav1.LabelSelector evaluation: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist),
// all ANDed. A nil selector matches nothing, an empty one everything (LabelSelectorAsSelector).
// Key and value syntax is not re-checked here: validation does that when the object is admitted.
import type { LabelSelector, LabelSelectorRequirement } from './api/core.ts';

export type Labels = Readonly<Record<string, string>>;

/** Decides whether a label set is selected. */
export type LabelPredicate = (labels: Labels | undefined) => boolean;

/** A selector that cannot be turned into a predicate (unknown operator, wrong number of values). */
export class LabelSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

const matchNothing: LabelPredicate = () => false;
const matchEverything: LabelPredicate = () => true;

const hasLabel = (labels: Labels | undefined, key: string): boolean => labels !== undefined && Object.hasOwn(labels, key);
const labelValue = (labels: Labels | undefined, key: string): string | undefined => (hasLabel(labels, key) ? labels![key] : undefined);

/** True when the selector has neither matchLabels nor matchExpressions (nil included). */
export function isEmptySelector(selector: LabelSelector | null | undefined): boolean {
  if (!selector) return true;
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** One requirement of a selector, compiled: its kubectl text (`app=web`, `tier in (a,b)`) and its test. */
export interface CompiledRequirement {
  readonly key: string;
  readonly text: string;
  readonly test: LabelPredicate;
}

/** Compiles each requirement of a selector (matchLabels first, then matchExpressions). Throws LabelSelectorError. */
export function compileRequirements(selector: LabelSelector): CompiledRequirement[] {
  const requirements: CompiledRequirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, text: `${key}=${value}`, test: (labels) => labelValue(labels, key) === value });
  }
  for (const expression of selector.matchExpressions ?? []) {
    requirements.push({ key: expression.key, text: formatRequirement(expression), test: compileRequirement(expression) });
  }
  return requirements;
}

/** The first requirement the labels fail, undefined when they meet all: why a selector does not select. */
export function unmetRequirement(requirements: readonly CompiledRequirement[], labels: Labels | undefined): CompiledRequirement | undefined {
  return requirements.find((requirement) => !requirement.test(labels));
}

/** Compiles a selector once so it can be evaluated many times. Throws LabelSelectorError. */
export function compileSelector(selector: LabelSelector | null | undefined): LabelPredicate {
  if (!selector) return matchNothing;
  const requirements = compileRequirements(selector).map((requirement) => requirement.test);
  if (requirements.length === 0) return matchEverything;
  if (requirements.length === 1) return requirements[0];
  return (labels) => requirements.every((requirement) => requirement(labels));
}

function compileRequirement({ key, operator, values }: LabelSelectorRequirement): LabelPredicate {
  const valueSet = new Set(values ?? []);
  switch (operator) {
    case 'In':
    case 'NotIn': {
      if (valueSet.size === 0) throw new LabelSelectorError(`key ${JSON.stringify(key)}: for 'In', 'NotIn' operators, values set can't be empty`);
      const isIn: LabelPredicate = (labels) => hasLabel(labels, key) && valueSet.has(labels![key]);
      return operator === 'In' ? isIn : (labels) => !isIn(labels);
    }
    case 'Exists':
    case 'DoesNotExist': {
      if (valueSet.size > 0) throw new LabelSelectorError(`key ${JSON.stringify(key)}: values set must be empty for exists and does not exist`);
      return operator === 'Exists' ? (labels) => hasLabel(labels, key) : (labels) => !hasLabel(labels, key);
    }
    default:
      throw new LabelSelectorError(`${JSON.stringify(operator)} is not a valid label selector operator`);
  }
}

/** One-off evaluation; compile the selector instead when it is used repeatedly. */
export function selectorMatches(selector: LabelSelector | null | undefined, labels: Labels | undefined): boolean {
  return compileSelector(selector)(labels);
}

/** A selector in kubectl's `-l` syntax (`app=web,tier in (a,b),!canary`); `<none>` selects nothing, `<all>` everything. */
export function formatSelector(selector: LabelSelector | null | undefined): string {
  if (!selector) return '<none>';
  const terms = [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`),
    ...(selector.matchExpressions ?? []).map(formatRequirement),
  ];
  return terms.length === 0 ? '<all>' : terms.join(',');
}

export function formatRequirement({ key, operator, values }: LabelSelectorRequirement): string {
  switch (operator) {
    case 'In':
      return `${key} in (${(values ?? []).join(',')})`;
    case 'NotIn':
      return `${key} notin (${(values ?? []).join(',')})`;
    case 'Exists':
      return key;
    case 'DoesNotExist':
      return `!${key}`;
    default:
      return `${key} ${operator} (${(values ?? []).join(',')})`;
  }
}
