// Kruise's bookkeeping annotations on Pods: hash maps (current and legacy formats), injected list,
// working hot-upgrade containers, and metav1.Time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMetaTime, normalizeMetaTime } from '../../src/meta-time.ts';
import {
  formatInjectedList,
  formatUpgradeSpecs,
  formatWorkingContainers,
  parseInjectedList,
  parseUpgradeSpecs,
  parseWorkingContainers,
  PodAnnotationError,
} from '../../src/pod-annotations.ts';

describe('hash annotations', () => {
  it('round-trip in Go field order, keys sorted, controllerRevision omitted when empty', () => {
    const text =
      '{"a":{"updateTimestamp":"2026-11-23T10:00:00Z","hash":"h1","sidecarSetName":"a","sidecarList":["x","y"],"controllerRevision":"a-1"},' +
      '"b":{"updateTimestamp":"2026-11-23T10:00:00Z","hash":"h2","sidecarSetName":"b","sidecarList":[]}}';
    assert.equal(formatUpgradeSpecs(parseUpgradeSpecs(text)), text);
  });

  it('re-encode what Go would after a decode: zero values, dropped fields, UTC timestamps', () => {
    const specs = parseUpgradeSpecs('{"z":{"updateTimestamp":"2026-11-23T12:00:00.999+02:00","hash":"h","extra":1},"n":null}');
    assert.equal(
      formatUpgradeSpecs(specs),
      '{"n":{"updateTimestamp":null,"hash":"","sidecarSetName":"","sidecarList":null},"z":{"updateTimestamp":"2026-11-23T10:00:00Z","hash":"h","sidecarSetName":"","sidecarList":null}}',
    );
  });

  it('read the legacy {name: hash} format', () => {
    assert.deepEqual([...parseUpgradeSpecs('{"s":"abc"}')], [['s', { updateTimestamp: null, hash: 'abc', sidecarSetName: 's', sidecarList: null, controllerRevision: '' }]]);
  });

  it('treat an empty value as no entries and refuse what neither format accepts', () => {
    assert.equal(parseUpgradeSpecs('').size, 0);
    assert.equal(parseUpgradeSpecs(undefined).size, 0);
    for (const bad of ['{', '[]', '"x"', '{"a":"h","b":{}}', '{"a":{"hash":1}}', '{"a":{"sidecarList":"x"}}', '{"a":{"updateTimestamp":"yesterday"}}']) {
      assert.throws(() => parseUpgradeSpecs(bad), PodAnnotationError, bad);
    }
  });
});

describe('other Pod annotations', () => {
  it('injected list: a sorted union, as Kruise writes it', () => {
    const names = parseInjectedList('b,a');
    names.add('c');
    names.add('a');
    assert.equal(formatInjectedList(names), 'a,b,c');
    assert.equal(parseInjectedList('').size, 0);
  });

  it('working hot-upgrade containers: sorted JSON; unreadable means empty, like Kruise', () => {
    assert.equal(formatWorkingContainers(parseWorkingContainers('{"z":"z-2","a":"a-1","bad":1,"n":null}')), '{"a":"a-1","n":"","z":"z-2"}');
    assert.equal(parseWorkingContainers('not json').size, 0);
    assert.equal(parseWorkingContainers('[1]').size, 0);
  });
});

describe('metav1.Time', () => {
  it('is written in UTC without fractional seconds', () => {
    assert.equal(formatMetaTime(new Date('2026-11-23T10:00:00.999Z')), '2026-11-23T10:00:00Z');
  });

  it('reads RFC 3339 and nothing else', () => {
    assert.equal(normalizeMetaTime('2026-11-23T00:30:00-01:30'), '2026-11-23T02:00:00Z');
    assert.equal(normalizeMetaTime('0099-01-01T00:00:00Z'), '0099-01-01T00:00:00Z');
    for (const bad of ['2026-11-23', '2026-02-30T00:00:00Z', '2026-11-23T24:00:00Z', '2026-11-23 10:00:00Z', '2026-11-23T10:00:00']) {
      assert.equal(normalizeMetaTime(bad), undefined, bad);
    }
  });
});
