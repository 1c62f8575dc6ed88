// A sidecar's resources computed from the Pod's containers by its `resourcesPolicy` (docs/behaviour/injection.md;
// Kruise 1.9 pkg/webhook/pod/mutating/sidecarset_resources.go), at Pod creation:
// - targets: the Pod's native-sidecar init containers and its containers whose name matches the
//   (unanchored, RE2) regex, minus every container a matched SidecarSet injects;
// - `sum` or `max` over the targets; a limit exists only if every target has it (else "unlimited",
//   and the sidecar gets no such limit), a missing request counts as 0;
// - each expression sees one variable, `memory` if it names it, else `cpu`; a unit-less result is
//   millicores for cpu and a plain number for memory;
// - the result replaces the sidecar's resources.
import { RE2JS } from 're2js';
import type { Container, ResourceRequirements } from '../api/core.ts';
import type { ResourceExpressions, ResourcesPolicy } from '../api/sidecarset.ts';
import { evaluateExpression, ExpressionError, type Value } from './expression.ts';
import { add, compare, goInt64, integerQuantity, milliQuantity, type Quantity, quantityFrom, quantityString, ZERO } from './quantity-arithmetic.ts';

export class ResourcesPolicyError extends Error {}

type ResourceName = 'cpu' | 'memory';
const RESOURCE_NAMES: readonly ResourceName[] = ['cpu', 'memory'];

interface Aggregate {
  limits: Partial<Record<ResourceName, Quantity>>;
  requests: Partial<Record<ResourceName, Quantity>>;
}

/** Compiles a policy regex with Go's syntax; throws the RE2 error ("error parsing regexp: ..."). */
export const compilePolicyRegex = (pattern: string): RE2JS => RE2JS.compile(pattern);

/** The Pod containers a policy looks at. */
export function targetContainers(pod: { initContainers?: Container[]; containers?: Container[] }, pattern: string, injectedNames: ReadonlySet<string>): Container[] {
  let regex: RE2JS;
  try {
    regex = compilePolicyRegex(pattern);
  } catch (error) {
    throw new ResourcesPolicyError(`failed to get target containers: invalid regex pattern ${JSON.stringify(pattern)}: ${(error as Error).message}`);
  }
  const candidates = [...(pod.initContainers ?? []).filter((container) => container.restartPolicy === 'Always'), ...(pod.containers ?? [])];
  return candidates.filter((container) => !injectedNames.has(container.name) && regex.matcher(container.name).find());
}

function quantityOf(container: Container, list: 'limits' | 'requests', resource: ResourceName): Quantity | undefined {
  const value = container.resources?.[list]?.[resource];
  if (value === undefined || value === null) return undefined;
  const quantity = quantityFrom(value);
  if (!quantity) throw new ResourcesPolicyError(`container ${container.name}: resources.${list}.${resource}: invalid quantity ${JSON.stringify(value)}`);
  return quantity;
}

function aggregate(containers: readonly Container[], mode: string): Aggregate {
  const result: Aggregate = { limits: {}, requests: {} };
  if (mode !== 'sum' && mode !== 'max') return result;
  for (const resource of RESOURCE_NAMES) {
    const limits = containers.map((container) => quantityOf(container, 'limits', resource));
    const requests = containers.map((container) => quantityOf(container, 'requests', resource)).filter((q) => q !== undefined);
    if (mode === 'sum') {
      if (limits.every((q) => q !== undefined)) result.limits[resource] = limits.reduce<Quantity>((total, q) => add(total, q!), ZERO);
      const total = requests.reduce<Quantity>((sum, q) => add(sum, q), ZERO);
      if (total.value !== 0n) result.requests[resource] = total;
    } else {
      const largest = (values: readonly Quantity[]): Quantity | undefined => values.reduce<Quantity | undefined>((max, q) => (max === undefined || compare(q, max) > 0 ? q : max), undefined);
      if (limits.every((q) => q !== undefined)) {
        const max = largest(limits as Quantity[]);
        if (max) result.limits[resource] = max;
      }
      const max = largest(requests);
      if (max) result.requests[resource] = max;
    }
  }
  return result;
}

const MEMORY_WORD = /\bmemory\b/;

function evaluate(expression: string, aggregated: Quantity): string {
  const variable = MEMORY_WORD.test(expression) ? 'memory' : 'cpu';
  let result: Value;
  try {
    result = evaluateExpression(expression, { [variable]: { kind: 'quantity', quantity: aggregated } });
  } catch (error) {
    if (error instanceof ExpressionError) throw new ResourcesPolicyError(`failed to parse expression ${JSON.stringify(expression)}: ${error.message}`);
    throw error;
  }
  if (result.kind === 'quantity') return quantityString(result.quantity);
  return quantityString(variable === 'cpu' ? milliQuantity(goInt64(result.number * 1000)) : integerQuantity(goInt64(result.number)));
}

function evaluateList(expressions: ResourceExpressions | undefined, aggregated: Aggregate['limits'], isLimit: boolean, list: string): Record<string, string> | undefined {
  if (!expressions) return undefined;
  const values: Record<string, string> = {};
  for (const resource of RESOURCE_NAMES) {
    const expression = expressions[resource];
    if (!expression) continue;
    const value = aggregated[resource];
    if (isLimit && value === undefined) continue; // an unlimited target leaves the sidecar unlimited too
    try {
      values[resource] = evaluate(expression, value ?? ZERO);
    } catch (error) {
      const name = resource === 'cpu' ? 'CPU' : 'memory';
      throw new ResourcesPolicyError(`failed to evaluate ${name} ${list} expression: ${(error as Error).message}`);
    }
  }
  return Object.keys(values).length > 0 ? values : undefined;
}

/** The sidecar's resources under its policy; throws ResourcesPolicyError (the Pod is then refused). */
export function sidecarResources(policy: ResourcesPolicy, pod: { initContainers?: Container[]; containers?: Container[] }, injectedNames: ReadonlySet<string>): ResourceRequirements {
  const pattern = policy.targetContainersNameRegex ?? '';
  const targets = targetContainers(pod, pattern, injectedNames);
  if (targets.length === 0) throw new ResourcesPolicyError(`no containers match the regex pattern ${JSON.stringify(pattern)}`);
  const { limits, requests } = aggregate(targets, policy.targetContainersMode ?? '');
  const resources: ResourceRequirements = {};
  const computedLimits = evaluateList(policy.resourcesExpr?.limits, limits, true, 'limits');
  const computedRequests = evaluateList(policy.resourcesExpr?.requests, requests, false, 'requests');
  if (computedLimits) resources.limits = computedLimits;
  if (computedRequests) resources.requests = computedRequests;
  return resources;
}
