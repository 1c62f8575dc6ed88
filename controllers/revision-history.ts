// registerLatestRevision's I/O (docs/behaviour/revisions.md): carries out the plan revisions.ts makes against
// the ControllerRevisions of the operator namespace.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ControllerRevision, Pod } from '../src/api/core.ts';
import { LABEL_CUSTOM_VERSION, type SidecarSet } from '../src/api/sidecarset.ts';
import { MERGE_PATCH, requestJson, statusCodeOf } from '../src/kube/kube-http.ts';
import { errorFields, type Logger } from '../src/kube/logger.ts';
import {
  buildRevision,
  historyAfter,
  missingCustomVersion,
  nextRevisionNumber,
  planLatestRevision,
  planTruncation,
  renameForCollision,
  revisionsOf,
  storedDataJson,
} from '../src/revisions/controller-revisions.ts';

export interface LatestRevision {
  revision: ControllerRevision;
  collisionCount: number;
}

export interface RevisionHistory {
  /** Ensures a revision of the current spec exists and is the newest, then trims the history; every call is aborted with `signal` (leadership lost). */
  registerLatest(sidecarSet: SidecarSet, matchedPods: readonly Pod[], known: Iterable<ControllerRevision>, signal: AbortSignal): Promise<LatestRevision>;
}

const MAX_COLLISION_ATTEMPTS = 100;

export interface RevisionStore {
  create(revision: ControllerRevision): Promise<ControllerRevision>;
  read(name: string): Promise<ControllerRevision>;
}

/**
 * Kruise's CreateControllerRevision: a name already taken by the same data is that revision; taken
 * by other data, it is a hash collision: count it and try the name the next count gives.
 */
export async function createAvoidingCollisions(candidate: ControllerRevision, sidecarSetName: string, collisionCount: number, store: RevisionStore): Promise<LatestRevision> {
  for (let count = collisionCount; count < collisionCount + MAX_COLLISION_ATTEMPTS; count++) {
    const revision = renameForCollision(candidate, sidecarSetName, count);
    try {
      return { revision: await store.create(revision), collisionCount: count };
    } catch (err) {
      if (statusCodeOf(err) !== 409) throw err;
    }
    const existing = await store.read(revision.metadata.name!);
    if (storedDataJson(existing) === storedDataJson(revision)) return { revision: existing, collisionCount: count };
  }
  throw new Error(`no free ControllerRevision name for SidecarSet ${sidecarSetName} after ${MAX_COLLISION_ATTEMPTS} collisions`);
}

export function createRevisionHistory(kubeConfig: KubeConfig, namespace: string, logger: Logger): RevisionHistory {
  const collection = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/controllerrevisions`;
  const item = (name: string): string => `${collection}/${encodeURIComponent(name)}`;

  return {
    async registerLatest(sidecarSet, matchedPods, known, signal) {
      const patch = (revisionName: string, body: object): Promise<ControllerRevision> =>
        requestJson<ControllerRevision>(kubeConfig, { method: 'PATCH', path: item(revisionName), body, contentType: MERGE_PATCH, signal });
      const name = sidecarSet.metadata.name ?? '';
      const sorted = revisionsOf(name, known);
      const initialCollisions = sidecarSet.status?.collisionCount ?? 0;
      const candidate = buildRevision(sidecarSet, namespace, nextRevisionNumber(sorted), initialCollisions);
      const plan = planLatestRevision(sorted, candidate);
      let latest: LatestRevision;
      switch (plan.action) {
        case 'reuse':
          latest = { revision: plan.revision, collisionCount: initialCollisions };
          break;
        case 'renumber':
          latest = { revision: await patch(plan.revision.metadata.name!, { revision: plan.revisionNumber }), collisionCount: initialCollisions };
          logger.info({ sidecarSet: name, revision: latest.revision.metadata.name, number: plan.revisionNumber }, 'renumbered ControllerRevision (rollback)');
          break;
        case 'create':
          latest = await createAvoidingCollisions(plan.revision, name, initialCollisions, {
            create: (revision) => requestJson<ControllerRevision>(kubeConfig, { method: 'POST', path: collection, body: revision, signal }),
            read: (revisionName) => requestJson<ControllerRevision>(kubeConfig, { path: item(revisionName), signal }),
          });
          logger.info({ sidecarSet: name, revision: latest.revision.metadata.name, number: latest.revision.revision, collisionCount: latest.collisionCount }, 'registered ControllerRevision');
          break;
      }
      const customVersion = missingCustomVersion(sidecarSet, latest.revision);
      if (customVersion) {
        latest = { ...latest, revision: await patch(latest.revision.metadata.name!, { metadata: { labels: { [LABEL_CUSTOM_VERSION]: customVersion } } }) };
      }

      const truncation = planTruncation(sidecarSet, matchedPods, historyAfter(sorted, plan, latest.revision));
      try {
        for (const old of truncation.remove) {
          await requestJson(kubeConfig, { method: 'DELETE', path: item(old.metadata.name!), signal }).catch((err: unknown) => {
            if (statusCodeOf(err) !== 404) throw err;
          });
        }
        if (truncation.shortBy > 0) {
          throw new Error(`failed to limit the number of stored revisions, limited: ${truncation.limit}, actual: ${truncation.limit + truncation.shortBy}, name: ${name}`);
        }
      } catch (err) {
        // As in Kruise, a history that cannot be trimmed does not fail the reconcile.
        logger.error({ sidecarSet: name, ...errorFields(err) }, 'failed to truncate ControllerRevision history');
      }
      return latest;
    },
  };
}
