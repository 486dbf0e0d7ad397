import type { V1ObjectMeta } from '@kubernetes/client-node';
import { formatRef } from '@service-replicator/references';
import type { Direction, Mapping } from '@service-replicator/replication-config';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'service-replicator';
export const TENANT_LABEL = 'replicator.service-replicator.io/tenant';
export const DIRECTION_LABEL = 'replicator.service-replicator.io/direction';
export const SOURCE_ANNOTATION = 'replicator.service-replicator.io/source';

/** Who owns a written object: one tenant, one direction. A Mapping satisfies it. */
export interface OwnerKey {
  readonly tenant: string;
  readonly direction: Direction;
}

export function ownershipLabels(owner: OwnerKey): Record<string, string> {
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [TENANT_LABEL]: owner.tenant,
    [DIRECTION_LABEL]: owner.direction,
  };
}

/** `host:ns/name` for fromHost, `tenant:ns/name` for toHost: where the source lives. */
export function sourceAnnotationValue(mapping: Mapping): string {
  const cluster = mapping.direction === 'fromHost' ? 'host' : 'tenant';
  return `${cluster}:${formatRef(mapping.source)}`;
}

/**
 * vCluster's syncer leaves alone a virtual object annotated `vcluster.loft.sh/controlled-by` with
 * another controller's name (pkg/syncer/syncer.go, excludeVirtual). Our fromHost mirrors live in the
 * virtual cluster: without it, vCluster would sync each of them back to the host as a copy of its own.
 * An annotation, not the label: vCluster's own service sync takes the label `controlled-by: vcluster`
 * for its mirrors.
 */
export const VCLUSTER_CONTROLLED_BY = 'vcluster.loft.sh/controlled-by';

export function ownershipAnnotations(mapping: Mapping): Record<string, string> {
  const annotations: Record<string, string> = { [SOURCE_ANNOTATION]: sourceAnnotationValue(mapping) };
  if (mapping.direction === 'fromHost') annotations[VCLUSTER_CONTROLLED_BY] = MANAGED_BY_VALUE;
  return annotations;
}

/**
 * The only test for "may we modify or delete this object". The ownership marker is our managed-by
 * label, and the tenant label says whose: one tenant never touches another tenant's mirrors, and a
 * user's own object of the same name is never ours. Our other labels (direction) and the source
 * annotation are not part of the marker: a hand edit of them is drift, reverted like any other.
 */
export function isOwned(obj: { metadata?: V1ObjectMeta } | undefined, owner: OwnerKey): boolean {
  const labels = obj?.metadata?.labels ?? {};
  return labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labels[TENANT_LABEL] === owner.tenant;
}

/** Why an object is not ours, worded for a status message. */
export function describeForeignOwner(obj: { metadata?: V1ObjectMeta }): string {
  const labels = obj.metadata?.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return `is not managed by ${MANAGED_BY_VALUE}`;
  return `is managed by ${MANAGED_BY_VALUE} for tenant ${labels[TENANT_LABEL] ?? '(none)'}`;
}
