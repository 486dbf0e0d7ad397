import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { Mapping } from '@service-replicator/replication-config';
import { copyEndpointSlices } from './endpoint-slice-copy';
import { serviceShape } from './service-shape';

/**
 * toHost `endpoints` mode: the host Service has no selector, so its endpoints are the tenant
 * Service's endpoints, copied with the same logic as a headless host Service's (fromHost).
 * Useful when tenant pod IPs are routable from the host but the pods do not run there.
 */
export function buildHostEndpointSlices(
  tenantService: V1Service,
  tenantSlices: readonly V1EndpointSlice[],
  mapping: Mapping,
): V1EndpointSlice[] {
  if (serviceShape(tenantService) === 'external-name') return [];
  return copyEndpointSlices(tenantSlices, mapping);
}
