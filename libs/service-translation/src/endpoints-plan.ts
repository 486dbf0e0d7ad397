import type { V1Endpoints } from '@kubernetes/client-node';
import { byCanonicalJson, canonicalJson, definedMembers } from './canonical-json';
import { managedMetadataDiffers, mergeManagedMetadata } from './managed-metadata';
import { ENDPOINTS_MANAGED_BY_LABEL, ENDPOINTS_MANAGED_BY_VALUE, OVER_CAPACITY_ANNOTATION } from './mirror-endpoints.builder';
import { describeForeignOwner, isOwned, type OwnerKey } from './ownership';
import { deleteAction, type Action } from './reconcile-actions';
import { isVClusterEndpoints, releasedFromVCluster } from './vcluster-mirror';

export interface EndpointsPlan {
  readonly actions: Action[];
  /** The Endpoints we would write but may not; left untouched. */
  readonly conflicts: string[];
}

/**
 * Converges the target's core/v1 Endpoints (named like the Service) on `desired` (undefined: we
 * want none). Ours are those carrying our ownership marker, whoever wrote them: the endpoints
 * controller copies a selector Service's labels onto the Endpoints it keeps, and those are only
 * ever taken over when the mirror no longer has a selector (and the controller no longer writes
 * them); deleted are only the ones we wrote. With `adoptVClusterMirrors`, vCluster's own Endpoints
 * are rewritten as ours or removed.
 */
export function planEndpoints(desired: V1Endpoints | undefined, actual: V1Endpoints | undefined, owner: OwnerKey, adopt: boolean): EndpointsPlan {
  if (!actual) return { actions: desired ? [{ verb: 'create', kind: 'Endpoints', object: desired }] : [], conflicts: [] };
  const adoptable = adopt && isVClusterEndpoints(actual);
  if (desired) {
    if (!isOwned(actual, owner) && !adoptable) return { actions: [], conflicts: [`Endpoints ${actual.metadata?.name} ${describeForeignOwner(actual)}`] };
    const update = endpointsNeedUpdate(desired, actual) ? [{ verb: 'update' as const, kind: 'Endpoints' as const, object: mergeEndpointsForUpdate(desired, actual, owner) }] : [];
    return { actions: update, conflicts: [] };
  }
  const wroteIt = isOwned(actual, owner) && actual.metadata?.labels?.[ENDPOINTS_MANAGED_BY_LABEL] === ENDPOINTS_MANAGED_BY_VALUE;
  return { actions: wroteIt || adoptable ? [deleteAction('Endpoints', actual.metadata)] : [], conflicts: [] };
}

function managedEndpointsView(endpoints: V1Endpoints): unknown {
  return {
    owners: (endpoints.metadata?.ownerReferences ?? []).map((owner) => owner.uid),
    overCapacity: endpoints.metadata?.annotations?.[OVER_CAPACITY_ANNOTATION],
    subsets: (endpoints.subsets ?? []).map((subset) => ({
      addresses: (subset.addresses ?? []).map((address) => definedMembers({ ip: address.ip, hostname: address.hostname })),
      notReadyAddresses: (subset.notReadyAddresses ?? []).map((address) => definedMembers({ ip: address.ip, hostname: address.hostname })),
      ports: (subset.ports ?? []).map((port) => definedMembers({ ...port, name: port.name || undefined, protocol: port.protocol ?? 'TCP' })).sort(byCanonicalJson),
    })),
  };
}

/** True when the addresses, ports, owner or our labels differ, or vCluster's label is still on it. */
export function endpointsNeedUpdate(desired: V1Endpoints, actual: V1Endpoints): boolean {
  return (
    canonicalJson(managedEndpointsView(desired)) !== canonicalJson(managedEndpointsView(actual)) ||
    managedMetadataDiffers(desired.metadata, actual.metadata) ||
    isVClusterEndpoints(actual)
  );
}

/** The Endpoints to PUT: `actual`'s metadata (resourceVersion, others' labels) with our content, without vCluster's marks. */
function mergeEndpointsForUpdate(desired: V1Endpoints, actual: V1Endpoints, owner: OwnerKey): V1Endpoints {
  const metadata = mergeManagedMetadata(desired.metadata, actual.metadata);
  const { [OVER_CAPACITY_ANNOTATION]: _stale, ...annotations } = metadata.annotations ?? {};
  const overCapacity = desired.metadata?.annotations?.[OVER_CAPACITY_ANNOTATION];
  const merged: V1Endpoints = {
    ...actual,
    apiVersion: actual.apiVersion ?? desired.apiVersion,
    kind: actual.kind ?? desired.kind,
    metadata: { ...metadata, annotations: { ...annotations, ...(overCapacity ? { [OVER_CAPACITY_ANNOTATION]: overCapacity } : {}) } },
    subsets: desired.subsets,
  };
  const released = releasedFromVCluster(merged, owner.tenant);
  return { ...released, metadata: { ...released.metadata, ownerReferences: desired.metadata?.ownerReferences } };
}
