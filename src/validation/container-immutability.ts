// UPDATE-only rules (docs/behaviour/validation.md rules 26-27): containers cannot be added or renamed, only removed,
// and a container's upgradeType cannot change. Init containers are not covered, as in Kruise. Paths are
// Kruise's unindexed ones. The old object was admitted earlier but is still read defensively.
import type { SidecarContainer, SidecarSet } from '../api/sidecarset.ts';
import { type FieldError, type FieldPath, invalid } from '../field-error.ts';

export function validateContainerImmutability(sidecarSet: SidecarSet, oldSidecarSet: SidecarSet, path: FieldPath): FieldError[] {
  const oldContainers: unknown = oldSidecarSet?.spec?.containers;
  const oldUpgradeTypes = new Map<string, string>();
  for (const container of Array.isArray(oldContainers) ? (oldContainers as Partial<SidecarContainer>[]) : []) {
    if (typeof container?.name === 'string') oldUpgradeTypes.set(container.name, String(container.upgradeStrategy?.upgradeType ?? ''));
  }
  const errors: FieldError[] = [];
  for (const container of sidecarSet.spec.containers ?? []) {
    const oldUpgradeType = oldUpgradeTypes.get(container.name);
    if (oldUpgradeType === undefined) {
      errors.push(invalid(path.child('name').text, container.name, `container ${container.name} is not found`));
    } else if (oldUpgradeType !== '' && (container.upgradeStrategy?.upgradeType ?? '') !== oldUpgradeType) {
      errors.push(invalid(path.child('upgradeStrategy').child('upgradeType').text, container.name, `container ${container.name} upgradeType is immutable`));
    }
  }
  return errors;
}
