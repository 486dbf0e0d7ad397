import type { V1Endpoint, V1EndpointSlice } from '@kubernetes/client-node';
import { canonicalJson } from './canonical-json';
import { managedMetadataDiffers, mergeManagedMetadata } from './managed-metadata';
import { normalisedEndpointPort } from './service-ports';

function managedSliceView(slice: V1EndpointSlice): unknown {
  return {
    owners: (slice.metadata?.ownerReferences ?? []).map((owner) => owner.uid),
    addressType: slice.addressType,
    endpoints: (slice.endpoints ?? []).map(managedEndpointView),
    ports: (slice.ports ?? []).map(normalisedEndpointPort),
  };
}

/** Only the endpoint fields we write; fields another writer added to our slice are not ours to judge. */
function managedEndpointView(endpoint: V1Endpoint): unknown {
  return { addresses: endpoint.addresses, conditions: endpoint.conditions, hostname: endpoint.hostname };
}

/** True when what we manage on the slice (addresses, conditions, ports, our labels) differs. */
export function endpointSliceNeedsUpdate(desired: V1EndpointSlice, actual: V1EndpointSlice): boolean {
  return (
    canonicalJson(managedSliceView(desired)) !== canonicalJson(managedSliceView(actual)) ||
    managedMetadataDiffers(desired.metadata, actual.metadata)
  );
}

/** addressType is immutable on an EndpointSlice; a slice of the wrong family must be recreated. */
export function endpointSliceRequiresRecreate(desired: V1EndpointSlice, actual: V1EndpointSlice): boolean {
  return desired.addressType !== actual.addressType;
}

/** The slice to PUT: `actual`'s metadata (resourceVersion, others' labels) with our content. */
export function mergeEndpointSliceForUpdate(desired: V1EndpointSlice, actual: V1EndpointSlice): V1EndpointSlice {
  return {
    ...actual,
    apiVersion: actual.apiVersion ?? desired.apiVersion,
    kind: actual.kind ?? desired.kind,
    metadata: { ...mergeManagedMetadata(desired.metadata, actual.metadata), ownerReferences: desired.metadata?.ownerReferences },
    addressType: desired.addressType,
    endpoints: desired.endpoints,
    ports: desired.ports,
  };
}
