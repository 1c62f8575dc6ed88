// `kruise.io/sidecarset-inplace-update-state` (spec Part B §5.2): per SidecarSet, the imageID each
// container reported just before its in-place update, so completion can be told by the imageID
// changing. Written the way Kruise's UpdatePodAnnotationsInUpgrade writes it: an existing entry
// keeps its first revision and timestamp, only the containers change.
import { goJsonString } from '../go-json.ts';
import { sortedGoStrings } from '../go-order.ts';
import { isJsonObject, parseJsonObject } from '../json-object.ts';

interface InPlaceUpdateState {
  revision: string;
  updateTimestamp: string | null;
  lastContainerStatuses: Map<string, string>;
}

/** Decodes leniently (Kruise logs a decode error and starts from what it has): unreadable parts are dropped. */
function decode(text: string | undefined): Map<string, InPlaceUpdateState> {
  const states = new Map<string, InPlaceUpdateState>();
  const parsed = text ? parseJsonObject(text) : undefined;
  if (!parsed) return states;
  for (const [name, entry] of Object.entries(parsed)) {
    if (!isJsonObject(entry)) continue;
    const statuses = new Map<string, string>();
    if (isJsonObject(entry.lastContainerStatuses)) {
      for (const [container, status] of Object.entries(entry.lastContainerStatuses)) {
        statuses.set(container, isJsonObject(status) && typeof status.imageID === 'string' ? status.imageID : '');
      }
    }
    states.set(name, {
      revision: typeof entry.revision === 'string' ? entry.revision : '',
      updateTimestamp: typeof entry.updateTimestamp === 'string' ? entry.updateTimestamp : null,
      lastContainerStatuses: statuses,
    });
  }
  return states;
}

function encode(states: Map<string, InPlaceUpdateState>): string {
  const entries = sortedGoStrings(states.keys()).map((name) => {
    const state = states.get(name)!;
    const statuses = sortedGoStrings(state.lastContainerStatuses.keys()).map((container) => {
      const imageID = state.lastContainerStatuses.get(container)!;
      return `${goJsonString(container)}:{${imageID ? `"imageID":${goJsonString(imageID)}` : ''}}`;
    });
    const timestamp = state.updateTimestamp === null ? 'null' : goJsonString(state.updateTimestamp);
    return `${goJsonString(name)}:{"revision":${goJsonString(state.revision)},"updateTimestamp":${timestamp},"lastContainerStatuses":{${statuses.join(',')}}}`;
  });
  return `{${entries.join(',')}}`;
}

/**
 * The annotation value after recording `imageIDs` (container -> imageID before the update) for one
 * SidecarSet; `revision` and `now` only seed an entry that does not exist yet.
 */
export function recordInPlaceUpdate(current: string | undefined, sidecarSetName: string, revision: string, now: string, imageIDs: ReadonlyMap<string, string>): string {
  const states = decode(current);
  let state = states.get(sidecarSetName);
  if (!state) {
    state = { revision, updateTimestamp: now, lastContainerStatuses: new Map() };
    states.set(sidecarSetName, state);
  }
  for (const [container, imageID] of imageIDs) state.lastContainerStatuses.set(container, imageID);
  return encode(states);
}
