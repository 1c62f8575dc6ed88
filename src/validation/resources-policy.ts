// `resourcesPolicy` of a container or native-sidecar init container (docs/behaviour/validation.md rules 18 and 21, as
// Kruise 1.9 checks it; paths are the full `spec.containers[i].resourcesPolicy`, where Kruise writes
// `spec[i]`). The mode is the CRD enum's business; expressions are parsed with a dummy value of 1.
import type { SidecarContainer, SidecarSetSpec } from '../api/sidecarset.ts';
import { type FieldError, type FieldPath, invalid, required } from '../field-error.ts';
import { evaluateExpression } from '../resources-policy/expression.ts';
import { compilePolicyRegex } from '../resources-policy/sidecar-resources.ts';

export function validateResourcesPolicies(spec: SidecarSetSpec, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  (spec.initContainers ?? []).forEach((container, index) => {
    if (!container.resourcesPolicy) return;
    const policyPath = path.child('initContainers').index(index).child('resourcesPolicy');
    if (container.restartPolicy !== 'Always') {
      errors.push(invalid(policyPath.text, container.resourcesPolicy, 'resourcesPolicy is only supported for containers with RestartPolicy Always'));
    }
    errors.push(...validateResourcesPolicy(container, policyPath));
  });
  (spec.containers ?? []).forEach((container, index) => {
    if (container.resourcesPolicy) errors.push(...validateResourcesPolicy(container, path.child('containers').index(index).child('resourcesPolicy')));
  });
  return errors;
}

const nonEmpty = (list: object | undefined): boolean => list !== undefined && Object.keys(list).length > 0;

function validateResourcesPolicy(container: SidecarContainer, path: FieldPath): FieldError[] {
  const policy = container.resourcesPolicy!;
  if (nonEmpty(container.resources?.limits) || nonEmpty(container.resources?.requests)) {
    return [invalid(path.text, policy, 'resourcesPolicy and resources cannot be configured together')];
  }
  const errors: FieldError[] = [];
  const regex = policy.targetContainersNameRegex ?? '';
  const regexPath = path.child('targetContainersNameRegex');
  if (regex === '') errors.push(required(regexPath.text, 'invalid empty regex'));
  else {
    try {
      compilePolicyRegex(regex);
    } catch (error) {
      errors.push(invalid(regexPath.text, regex, `invalid regex pattern: ${(error as Error).message}`));
    }
  }
  const expressions = policy.resourcesExpr ?? {};
  const expressionsPath = path.child('resourcesExpr');
  if (!expressions.limits && !expressions.requests) {
    errors.push(invalid(expressionsPath.text, expressions, 'at least one of limits or requests must be configured'));
    return errors;
  }
  for (const list of ['limits', 'requests'] as const) {
    for (const resource of ['cpu', 'memory'] as const) {
      const expression = expressions[list]?.[resource];
      if (!expression) continue;
      try {
        evaluateExpression(expression, { [resource]: { kind: 'number', number: 1 } });
      } catch (error) {
        errors.push(invalid(expressionsPath.child(list).child(resource).text, expression, `invalid expression: ${(error as Error).message}`));
      }
    }
  }
  return errors;
}
