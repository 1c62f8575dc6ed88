// resource.Quantity as the apiserver parses it, shared by validation and the hash: the texts it
// accepts and refuses, their canonical forms, and comparisons without floating point. Expected
// canonical forms were checked with `go run . quantity` in scripts/go-json-layout (apimachinery).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SidecarContainer, SidecarSet } from '../../src/api/sidecarset.ts';
import { compareQuantities, goQuantityString, parseQuantity, QUANTITY_FORMAT_ERROR } from '../../src/quantity.ts';
import { errorsAfter } from './validation-helpers.ts';

const agent = (sidecarSet: SidecarSet): SidecarContainer => sidecarSet.spec.containers![0];

describe('quantity', () => {
  it('accepts what ParseQuantity accepts, and writes it back the way MarshalJSON does', () => {
    const accepted: [unknown, string][] = [
      ['1e3', '1e3'],
      ['1E', '1E'],
      ['1.5Gi', '1536Mi'],
      ['0.1m', '100u'],
      ['.5', '500m'],
      ['+1', '+1'],
      ['1.', '1.'],
      ['0.0000000001', '1n'],
      [' 2Gi ', '2Gi'],
      [1.5, '1500m'],
      // A sign, a dot or a suffix without digits reads as zero.
      ['-', '0'],
      ['+', '0'],
      ['.', '0'],
      ['Gi', '0'],
    ];
    for (const [input, canonical] of accepted) {
      assert.ok(parseQuantity(input), `${JSON.stringify(input)} is accepted`);
      assert.equal(goQuantityString(input), canonical, `${JSON.stringify(input)} re-marshals`);
    }
  });

  it('refuses what ParseQuantity refuses', () => {
    for (const input of ['', 'lots', '1Ki1', '1e', '1 Gi', '1.5.5', '1i', '1e1.5', '--1', null, true, {}]) {
      assert.equal(parseQuantity(input), undefined, `${JSON.stringify(input)} is refused`);
    }
  });

  it('compares exactly, across suffixes and scales', () => {
    const q = (text: string) => parseQuantity(text)!;
    assert.equal(compareQuantities(q('1.5Gi'), q('1536Mi')), 0);
    assert.equal(compareQuantities(q('1001m'), q('1')), 1);
    assert.equal(compareQuantities(q('999999999n'), q('1')), -1);
    assert.equal(compareQuantities(q('1e3'), q('1k')), 0);
    assert.equal(compareQuantities(q('-1'), q('0')), -1);
    // Beyond float64's 53 bits: these differ by one nano.
    assert.equal(compareQuantities(q('9007199254.740993'), q('9007199254740992n')), 1);
  });

  it('drives validation (after defaulting): Kubernetes quantities pass, the rest is refused with the apiserver message', () => {
    const errors = errorsAfter((s) => {
      agent(s).resources = { limits: { cpu: '1e3', memory: '1.5Gi' }, requests: { cpu: '.5', memory: '1536Mi', 'ephemeral-storage': '1Ki1' } };
    });
    assert.deepEqual(errors, [`spec.containers[0].resources.requests[ephemeral-storage]: Invalid value: "1Ki1": ${QUANTITY_FORMAT_ERROR}`]);
    assert.deepEqual(
      errorsAfter((s) => {
        agent(s).resources = { limits: { memory: '1.5Gi' }, requests: { memory: '1610612737' } };
      }),
      ['spec.containers[0].resources.requests: Invalid value: "1610612737": must be less than or equal to memory limit of 1536Mi'],
    );
  });
});
