import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { TenantSpec } from '@service-replicator/replication-config';
import { ENDPOINTS_CONTROLLER, ENDPOINTS_MANAGED_BY_LABEL } from './mirror-endpoints.builder';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from './ownership';
import type { ReconcileKey } from './reconcile-plan';

/** The one label vCluster's own service sync puts on the Services and Endpoints it writes. */
export const VCLUSTER_CONTROLLED_BY_LABEL = 'vcluster.loft.sh/controlled-by';
export const VCLUSTER_CONTROLLED_BY_VALUE = 'vcluster';

type WithMetadata = { metadata?: V1ObjectMeta };

/** A Service (or Endpoints) vCluster's replicateServices made, and not one of ours. */
export function isVClusterMirror(object: WithMetadata | undefined): boolean {
  const labels = object?.metadata?.labels ?? {};
  return labels[VCLUSTER_CONTROLLED_BY_LABEL] === VCLUSTER_CONTROLLED_BY_VALUE && labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE;
}

/**
 * vCluster's own Endpoints for a mirror. The endpoints controller copies a selector Service's labels
 * onto the Endpoints it keeps for it, vCluster's label included; those are the controller's, not
 * leftovers, and are never removed.
 */
export function isVClusterEndpoints(object: WithMetadata | undefined): boolean {
  return isVClusterMirror(object) && object?.metadata?.labels?.[ENDPOINTS_MANAGED_BY_LABEL] !== ENDPOINTS_CONTROLLER;
}

/**
 * Why the vCluster mirror at `key`'s target is not to be taken over, or undefined when it is. vCluster
 * writes toHost mirrors only into its own host namespace, so one elsewhere belongs to another vCluster.
 */
export function adoptionRefusal(key: ReconcileKey, tenant: TenantSpec | undefined): string | undefined {
  const name = tenant?.name ?? key.tenant;
  if (!tenant?.adoptVClusterMirrors) {
    return (
      `To migrate it, set adoptVClusterMirrors: true on tenant ${name} in the tenants file: service-replicator then writes ` +
      `its EndpointSlices first, relabels the Service as its own and removes vCluster's Endpoints ` +
      `(rewrites them as its own with endpoints: true), so the name never resolves to nothing`
    );
  }
  if (key.direction === 'toHost' && key.target.namespace !== tenant.hostNamespace) {
    return `It is not in tenant ${name}'s host namespace ${tenant.hostNamespace}, where its vCluster writes toHost mirrors, so it is not adopted`;
  }
  return undefined;
}

/** How a vCluster mirror at the target is described in a conflict. */
export const VCLUSTER_MIRROR_DESCRIPTION = `was made by vCluster's own replicateServices (label ${VCLUSTER_CONTROLLED_BY_LABEL}: ${VCLUSTER_CONTROLLED_BY_VALUE})`;

/**
 * The object without vCluster's marks: its label (so vCluster's sync, which skips Services without
 * it, leaves the object alone from now on) and, on a toHost mirror, the owner reference to the
 * tenant's vCluster Service (our mirrors' lifetime follows the config, not the vCluster's).
 */
export function releasedFromVCluster<T extends WithMetadata>(object: T, tenant: string): T {
  const { [VCLUSTER_CONTROLLED_BY_LABEL]: _label, ...labels } = object.metadata?.labels ?? {};
  const owners = (object.metadata?.ownerReferences ?? []).filter(
    (owner) => !(owner.apiVersion === 'v1' && owner.kind === 'Service' && owner.name === tenant),
  );
  return { ...object, metadata: { ...object.metadata, labels, ownerReferences: owners.length > 0 ? owners : undefined } };
}
