// The resourcesPolicy expression language (Kruise 1.9's calculator): values, mixing numbers and
// quantities, and its error messages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateExpression, goFormatG, type Value } from '../../src/resources-policy/expression.ts';
import { quantityFrom, quantityString } from '../../src/resources-policy/quantity-arithmetic.ts';

const quantity = (text: string): Value => ({ kind: 'quantity', quantity: quantityFrom(text)! });
const show = (value: Value): string => (value.kind === 'quantity' ? quantityString(value.quantity) : goFormatG(value.number));
const evaluate = (expression: string, variables: Record<string, Value> = {}): string => show(evaluateExpression(expression, variables));
const failure = (expression: string, variables: Record<string, Value> = {}): string => {
  try {
    return `no error: ${evaluate(expression, variables)}`;
  } catch (error) {
    return (error as Error).message;
  }
};

describe('resource expressions', () => {
  it('evaluate numbers, percentages and quantities', () => {
    assert.equal(evaluate('1 + 2 * 3'), '7');
    assert.equal(evaluate('(1 + 2) * 3'), '9');
    assert.equal(evaluate('10 - 4 - 3'), '3');
    assert.equal(evaluate('50%'), '0.5');
    assert.equal(evaluate('200Mi'), '200Mi');
    assert.equal(evaluate('100m + 200m'), '300m');
    assert.equal(evaluate('1Gi / 4'), '256Mi');
    assert.equal(evaluate('1e6'), '1e+06');
  });

  it('treat a number next to a quantity as cores', () => {
    assert.equal(evaluate('max(0.25, cpu)', { cpu: quantity('100m') }), '250m');
    assert.equal(evaluate('min(cpu, 1.5)', { cpu: quantity('2') }), '1500m');
    assert.equal(evaluate('cpu - 1', { cpu: quantity('1500m') }), '500m');
  });

  it('use the variable, case-insensitively', () => {
    assert.equal(evaluate('cpu', { cpu: quantity('100m') }), '100m');
    assert.equal(evaluate('CPU * 2', { cpu: quantity('50m') }), '100m');
    assert.equal(evaluate('memory + 100Mi', { memory: quantity('200Mi') }), '300Mi');
    assert.equal(evaluate('0.5 * memory + max(0, memory-2Gi)', { memory: quantity('8Gi') }), '10Gi');
    assert.equal(evaluate('min(max(max(max(0.5,0.5*cpu),cpu-1.0),cpu-1.0),3.0)', { cpu: quantity('0.5') }), '500m');
    assert.equal(evaluate('max(min(2*cpu,-cpu+3.0),2*cpu-3.0)', { cpu: quantity('1.5') }), '1500m');
  });

  it('refuse what Kruise refuses, with its messages', () => {
    assert.equal(failure('memory', { cpu: quantity('1') }), 'undefined variable: memory');
    assert.equal(failure('100Mi * 2Mi'), 'multiplication of two quantities');
    assert.equal(failure('1 / 2m'), 'division by quantity');
    assert.equal(failure('cpu / 0', { cpu: quantity('1') }), 'division by zero');
    assert.equal(failure('max(1)'), 'max function requires exactly 2 arguments, got 1');
    assert.equal(failure('avg(1, 2)'), 'unknown function: avg');
    assert.equal(failure('-10'), 'calculation result is negative: -10');
    assert.equal(failure('50m - 100m'), 'calculation result is negative: -50m');
    assert.equal(failure('1 +'), 'parse error: syntax error at line 1, col 4');
    assert.equal(failure('(1 + 2'), 'parse error: syntax error at line 1, col 7');
    assert.equal(failure('1 2'), 'parse error: syntax error at line 1, col 4');
    assert.equal(failure('cpu @ 2'), 'undefined variable: cpu', 'a semantic error found before the syntax error wins');
    assert.equal(failure('1e3Mi'), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });
});

describe('resourcesPolicy in the SidecarSet hash', () => {
  it('is part of the container the hash covers, with the CRD-defaulted regex', async () => {
    const { sidecarSetHashInput } = await import('../../src/hash.ts');
    const { defaultSidecarSet } = await import('../../src/defaulting.ts');
    const sidecarSet = defaultSidecarSet({ metadata: { name: 's' }, spec: { containers: [{ name: 'c', image: 'c:1', resourcesPolicy: { targetContainersMode: 'max', resourcesExpr: { limits: { cpu: 'cpu' } } } }] } });
    assert.match(sidecarSetHashInput(sidecarSet.spec), /"resourcesPolicy":\{"targetContainersMode":"max","targetContainersNameRegex":"\.\*","resourcesExpr":\{"limits":\{"cpu":"cpu"\}\}\}\}\]\}$/);
  });
});
