// Which version of a SidecarSet a new Pod gets (docs/behaviour/injection.md step 6, CREATE): the latest, unless
// `injectionStrategy.revision` pins a ControllerRevision; then the pinned one when updates are paused or
// the policy is Always, and with Partial the pinned one for Pods outside `updateStrategy.selector`, else
// the pinned one with probability `partition` (a percentage) and the latest otherwise.
//
// Re-injection (webhook reinvocation) keeps a Partial draw: when the Pod already records this SidecarSet
// with the hash and revision of one of the two candidates, that candidate is taken again.
import type { ControllerRevision } from '../api/core.ts';
import type { IntOrString } from '../api/sidecarset.ts';
import { compileSelector, type Labels } from '../label-selector.ts';
import type { SidecarSetUpgradeSpec } from '../pod-annotations.ts';
import { findPinnedRevision, RevisionNotFoundError } from '../revisions/revision-lookup.ts';
import { InjectionError } from './injection-error.ts';
import type { PreparedSidecarSet, PreparedVersion } from './prepared-sidecarsets.ts';

export interface RevisionChoiceContext {
  podLabels: Labels | undefined;
  revisions: readonly ControllerRevision[];
  /** Uniform in [0, 1), for the Partial policy. */
  random: () => number;
  /** What the Pod already records for this SidecarSet, if anything. */
  recorded: SidecarSetUpgradeSpec | undefined;
}

export function chooseVersion(prepared: PreparedSidecarSet, context: RevisionChoiceContext): PreparedVersion {
  const spec = prepared.sidecarSet.spec;
  const pin = spec.injectionStrategy?.revision;
  if (!pin || (!pin.revisionName && !pin.customVersion)) return prepared.latest;
  let revision: ControllerRevision | undefined;
  try {
    revision = findPinnedRevision(prepared.sidecarSet, context.revisions);
  } catch (error) {
    const reason = error instanceof RevisionNotFoundError ? 'revision-missing' : 'invalid';
    throw new InjectionError(`SidecarSet ${JSON.stringify(prepared.name)}: spec.injectionStrategy.revision: ${(error as Error).message}`, { cause: error, reason });
  }
  if (!revision) return prepared.latest;
  const pinned = prepared.fromRevision(revision);
  if (spec.updateStrategy?.paused || pin.policy !== 'Partial') return pinned;

  const updateSelector = spec.updateStrategy?.selector;
  if (updateSelector) {
    let selected: boolean;
    try {
      selected = compileSelector(updateSelector)(context.podLabels);
    } catch (error) {
      throw new InjectionError(`SidecarSet ${JSON.stringify(prepared.name)}: spec.updateStrategy.selector: ${(error as Error).message}`, { cause: error });
    }
    if (!selected) return pinned;
  }
  return drawByPartition(prepared, pinned, spec.updateStrategy?.partition, context);
}

function drawByPartition(prepared: PreparedSidecarSet, pinned: PreparedVersion, partition: IntOrString | undefined, context: RevisionChoiceContext): PreparedVersion {
  if (typeof partition !== 'string') return prepared.latest;
  const probability = parsePercentage(partition);
  if (probability === undefined) {
    throw new InjectionError(`SidecarSet ${JSON.stringify(prepared.name)}: spec.updateStrategy.partition: ${JSON.stringify(partition)} is not a percentage`);
  }
  const { recorded } = context;
  if (recorded && isRecorded(pinned, recorded)) return pinned;
  if (recorded && isRecorded(prepared.latest, recorded)) return prepared.latest;
  return context.random() <= probability ? pinned : prepared.latest;
}

const isRecorded = (version: PreparedVersion, recorded: SidecarSetUpgradeSpec): boolean =>
  recorded.hash === version.hash && recorded.controllerRevision === version.controllerRevision;

const PERCENTAGE = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)%$/;

/** "25%" -> 0.25; undefined when not a number followed by "%". */
function parsePercentage(value: string): number | undefined {
  const match = PERCENTAGE.exec(value);
  return match ? Number(match[1]) / 100 : undefined;
}
