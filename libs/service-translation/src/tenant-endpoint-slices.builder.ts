import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { Mapping } from '@service-replicator/replication-config';
import { copyEndpointSlices } from './endpoint-slice-copy';
import { buildEndpointSlice, byName } from './endpoint-slice.factory';
import { endpointPortsForServicePorts } from './service-ports';
import { serviceShape } from './service-shape';

/**
 * fromHost: the EndpointSlices behind the headless tenant Service.
 * - host Service with a clusterIP: one slice per IP family, whose single endpoint is the host
 *   clusterIP of that family, so tenant pods go through the host's load balancing;
 * - headless host Service: the host's endpoints themselves (there is no clusterIP to point at);
 * - ExternalName: none, DNS answers with a CNAME.
 */
export function buildTenantEndpointSlices(
  hostService: V1Service,
  hostSlices: readonly V1EndpointSlice[],
  mapping: Mapping,
): V1EndpointSlice[] {
  switch (serviceShape(hostService)) {
    case 'external-name':
      return [];
    case 'headless':
      return copyEndpointSlices(hostSlices, mapping);
    case 'cluster-ip':
      return clusterIPSlices(hostService, mapping);
  }
}

function clusterIPSlices(hostService: V1Service, mapping: Mapping): V1EndpointSlice[] {
  const ports = endpointPortsForServicePorts(hostService.spec?.ports);
  return clusterIPsOf(hostService)
    .map((ip) => {
      const addressType = ip.includes(':') ? 'IPv6' : 'IPv4';
      const endpoints = [{ addresses: [ip], conditions: { ready: true } }];
      return buildEndpointSlice(mapping, { suffix: addressType.toLowerCase(), addressType, endpoints, ports });
    })
    .sort(byName);
}

/** All clusterIPs (dual-stack), falling back to the single clusterIP older objects carry. */
function clusterIPsOf(service: V1Service): string[] {
  const ips = service.spec?.clusterIPs?.length ? service.spec.clusterIPs : [service.spec?.clusterIP];
  return ips.filter((ip): ip is string => !!ip && ip !== 'None');
}
