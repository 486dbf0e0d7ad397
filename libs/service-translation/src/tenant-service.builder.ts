import type { V1Service } from '@kubernetes/client-node';
import type { Mapping } from '@service-replicator/replication-config';
import { buildMirroredService } from './mirrored-service';

/**
 * fromHost: the tenant Service for a host Service. Always headless and without a selector, so
 * that its DNS name resolves to the addresses in the EndpointSlices we write (the host
 * clusterIPs, or the host pods of a headless host Service). ExternalName stays ExternalName.
 */
export function buildTenantService(hostService: V1Service, mapping: Mapping): V1Service {
  return buildMirroredService(hostService, mapping, { headless: true });
}
