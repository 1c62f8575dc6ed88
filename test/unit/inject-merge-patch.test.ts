// MergePatchJson: RFC 7386 with evanphx/json-patch's output (what Kruise writes into Pod annotations).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergePatch, MergePatchError } from '../../src/injection/json-merge-patch.ts';

describe('mergePatch', () => {
  const cases: [string, string, string, string][] = [
    ['merges and sorts the keys of merged objects', '{"log-agent":1}', '{"envoy":2}', '{"envoy":2,"log-agent":1}'],
    ['deletes keys patched with null', '{"a":1,"b":2}', '{"a":null}', '{"b":2}'],
    ['merges nested objects', '{"a":{"x":1,"y":2}}', '{"a":{"y":null,"z":3}}', '{"a":{"x":1,"z":3}}'],
    ['replaces a non-object value', '{"a":[1,2]}', '{"a":{"b":null,"c":1}}', '{"a":{"c":1}}'],
    ['keeps untouched values as written, compacted', '{ "b" : {"z":1, "a":2}, "n": 1.50 }', '{"c":true}', '{"b":{"z":1,"a":2},"c":true,"n":1.50}'],
    ['keeps large numbers exactly', '{"id":12345678901234567890}', '{"x":1}', '{"id":12345678901234567890,"x":1}'],
    ['escapes HTML characters as Go does', '{"a":"<b>"}', '{"k&":"x"}', '{"a":"\\u003cb\\u003e","k\\u0026":"x"}'],
    ['lets the last duplicate key win', '{"a":1,"a":2}', '{}', '{"a":2}'],
    ['turns a non-object document into the patch, nulls pruned', '[1]', '{"a":null,"b":1}', '{"b":1}'],
    ['returns an array patch as is, except objects inside', '{"a":1}', '[null,{"x":null}]', '[null,{}]'],
    ['keeps an array value of the patch as is', '{"a":{"b":1}}', '{"a":[null]}', '{"a":[null]}'],
  ];
  for (const [what, document, patch, expected] of cases) {
    it(what, () => assert.equal(mergePatch(document, patch), expected));
  }

  it('is idempotent', () => {
    const once = mergePatch('{}', '{"b":{"d":null,"c":[{"x":null}]},"a":1}');
    assert.equal(once, '{"a":1,"b":{"c":[{}]}}');
    assert.equal(mergePatch(once, '{"b":{"d":null,"c":[{"x":null}]},"a":1}'), once);
  });

  it('refuses what evanphx refuses', () => {
    assert.throws(() => mergePatch('envoy=1', '{}'), new MergePatchError('Invalid JSON Document'));
    assert.throws(() => mergePatch('null', '{}'), /Invalid JSON Document/);
    assert.throws(() => mergePatch('{}', '{not json'), /Invalid JSON Patch/);
    assert.throws(() => mergePatch('{}', 'null'), /Invalid JSON Patch/);
    assert.throws(() => mergePatch('{}', '"text"'), /Invalid JSON Patch/);
    assert.throws(() => mergePatch('{}', '{"a":1} x'), /Invalid JSON Patch/);
  });
});
