// The hand-ordered list of volume sources must name exactly the sources of the embedded core/v1 Volume schema.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import coreSchemas from '../../src/api/generated/core-v1.schema.json' with { type: 'json' };
import { VOLUME_SOURCES } from '../../src/api/volume-sources.ts';

it('lists every source field of core/v1 Volume, and nothing else', () => {
  const volume = coreSchemas.definitions['io.k8s.api.core.v1.Volume'] as { properties: Record<string, unknown> };
  const sources = Object.keys(volume.properties).filter((field) => field !== 'name');
  assert.deepEqual([...VOLUME_SOURCES].sort(), sources.sort());
});
