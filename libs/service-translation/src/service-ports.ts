import type { DiscoveryV1EndpointPort, V1ServicePort } from '@kubernetes/client-node';
import { definedMembers } from './canonical-json';

/**
 * Copies the ports a mirror needs. nodePort is dropped: a mirror is always ClusterIP (or
 * ExternalName) and a copied nodePort would collide with the one the source already holds.
 */
export function copyServicePorts(ports: readonly V1ServicePort[] | undefined): V1ServicePort[] | undefined {
  return ports?.map((port) =>
    definedMembers({
      name: port.name,
      protocol: port.protocol,
      port: port.port,
      targetPort: port.targetPort,
      appProtocol: port.appProtocol,
    }),
  );
}

/** A Service port as the API server stores it: protocol defaults to TCP, targetPort to port. */
export function normalisedServicePorts(ports: readonly V1ServicePort[] | undefined): V1ServicePort[] {
  return (ports ?? []).map((port) =>
    definedMembers({
      name: port.name ?? '',
      protocol: port.protocol ?? 'TCP',
      port: port.port,
      targetPort: port.targetPort ?? port.port,
      appProtocol: port.appProtocol,
    }),
  );
}

/** EndpointSlice ports that reach a Service by its own port (used when the endpoint is a clusterIP). */
export function endpointPortsForServicePorts(ports: readonly V1ServicePort[] | undefined): DiscoveryV1EndpointPort[] {
  return (ports ?? []).map((port) =>
    normalisedEndpointPort({ name: port.name, protocol: port.protocol, port: port.port, appProtocol: port.appProtocol }),
  );
}

/**
 * An EndpointSlice port with the API server's defaults made explicit. The name is kept as ""
 * rather than left out, because kube-proxy and CoreDNS match slice ports to Service ports by name.
 */
export function normalisedEndpointPort(port: DiscoveryV1EndpointPort): DiscoveryV1EndpointPort {
  return definedMembers({
    name: port.name ?? '',
    protocol: port.protocol ?? 'TCP',
    port: port.port,
    appProtocol: port.appProtocol,
  });
}
