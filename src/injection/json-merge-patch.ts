// RFC 7386 JSON merge patch with the exact behaviour and output of evanphx/json-patch's MergePatch, which
// Kruise uses for the MergePatchJson policy of patchPodMetadata: objects the merge touches come out with
// sorted keys, untouched values keep their text, nulls delete keys and are pruned from inserted objects.
import { emitGoJson, isJsonNull, parseGoJson, type GoJsonNode } from '../go-json.ts';

export class MergePatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergePatchError';
  }
}

/** Applies `patchText` to `documentText`; throws MergePatchError with evanphx's messages. */
export function mergePatch(documentText: string, patchText: string): string {
  const document = parseOrNull(documentText);
  const patch = parseOrNull(patchText);
  if (document === undefined || isJsonNull(document)) throw new MergePatchError('Invalid JSON Document');
  if (patch === undefined || isJsonNull(patch)) throw new MergePatchError('Invalid JSON Patch');

  const documentMap = asMap(document);
  const patchMap = asMap(patch);
  if (documentMap && patchMap) {
    mergeMaps(documentMap, patchMap);
    return emitGoJson(documentMap);
  }
  // Not both objects: the result is the patch itself, nulls pruned; a scalar patch is refused.
  if (patchMap) return emitGoJson(pruneNulls(patchMap));
  if (patch.kind === 'array') return emitGoJson(pruneNulls(patch));
  throw new MergePatchError('Invalid JSON Patch');
}

function parseOrNull(text: string): GoJsonNode | undefined {
  try {
    return parseGoJson(text);
  } catch {
    return undefined;
  }
}

type MapNode = Extract<GoJsonNode, { kind: 'map' }>;

/** Decodes an object into a map (last duplicate key wins); undefined for anything else. */
function asMap(node: GoJsonNode): MapNode | undefined {
  if (node.kind === 'map') return node;
  if (node.kind !== 'object') return undefined;
  return { kind: 'map', entries: new Map(node.members.map((member) => [member.key, member.value])) };
}

function mergeMaps(document: MapNode, patch: MapNode): void {
  for (const [key, value] of patch.entries) {
    if (isJsonNull(value)) {
      document.entries.delete(key);
      continue;
    }
    const current = document.entries.get(key);
    document.entries.set(key, current === undefined || isJsonNull(current) ? pruneNulls(value) : mergeValues(current, value));
  }
}

function mergeValues(current: GoJsonNode, patch: GoJsonNode): GoJsonNode {
  const currentMap = asMap(current);
  if (!currentMap) return pruneNulls(patch);
  const patchMap = asMap(patch);
  if (!patchMap) return patch;
  mergeMaps(currentMap, patchMap);
  return currentMap;
}

/** Removes null members from objects, recursively (inside arrays too, where nulls themselves stay). */
function pruneNulls(node: GoJsonNode): GoJsonNode {
  const map = asMap(node);
  if (map) {
    for (const [key, value] of map.entries) {
      if (isJsonNull(value)) map.entries.delete(key);
      else map.entries.set(key, pruneNulls(value));
    }
    return map;
  }
  if (node.kind === 'array') return { kind: 'array', items: node.items.map((item) => (isJsonNull(item) ? item : pruneNulls(item))) };
  return node;
}
