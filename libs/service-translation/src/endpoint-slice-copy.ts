import type { V1Endpoint, V1EndpointSlice } from '@kubernetes/client-node';
import type { Mapping } from '@service-replicator/replication-config';
import { byCanonicalJson, canonicalJson, definedMembers } from './canonical-json';
import { buildEndpointSlice, byName, chunkEndpoints, shortHash } from './endpoint-slice.factory';
import { normalisedEndpointPort } from './service-ports';

/**
 * Mirrors a Service's EndpointSlices into the other cluster: for headless host Services
 * (fromHost) and for toHost `endpoints` mode. Endpoints are regrouped by address type and port
 * set, so our slices do not churn when the source's controller reshuffles its own slices.
 */
export function copyEndpointSlices(sourceSlices: readonly V1EndpointSlice[], mapping: Mapping): V1EndpointSlice[] {
  const slices: V1EndpointSlice[] = [];
  for (const group of groupByAddressTypeAndPorts(sourceSlices)) {
    const baseSuffix = `${group.addressType.toLowerCase()}-${shortHash(group.portsKey)}`;
    for (const [suffix, endpoints] of chunkEndpoints(baseSuffix, group.endpoints)) {
      slices.push(buildEndpointSlice(mapping, { suffix, addressType: group.addressType, endpoints, ports: group.ports }));
    }
  }
  return slices.sort(byName);
}

interface EndpointGroup {
  readonly addressType: string;
  readonly portsKey: string;
  readonly ports: NonNullable<V1EndpointSlice['ports']>;
  readonly endpoints: V1Endpoint[];
}

function groupByAddressTypeAndPorts(sourceSlices: readonly V1EndpointSlice[]): EndpointGroup[] {
  const groups = new Map<string, EndpointGroup>();
  for (const slice of sourceSlices) {
    const ports = (slice.ports ?? []).map(normalisedEndpointPort).sort(byCanonicalJson);
    const portsKey = canonicalJson(ports);
    const groupKey = `${slice.addressType}/${portsKey}`;
    const group = groups.get(groupKey) ?? { addressType: slice.addressType, portsKey, ports, endpoints: [] };
    group.endpoints.push(...(slice.endpoints ?? []).map(copyEndpoint));
    groups.set(groupKey, group);
  }
  return [...groups.values()]
    .filter((group) => group.endpoints.length > 0)
    .map((group) => ({ ...group, endpoints: uniqueSortedEndpoints(group.endpoints) }));
}

/**
 * Keeps what a client in the other cluster can use: the addresses, their readiness and the
 * hostname (for per-pod DNS names). nodeName, zone, hints and targetRef are dropped because
 * they name nodes and pods of the source cluster, which do not exist where the copy lives.
 */
function copyEndpoint(endpoint: V1Endpoint): V1Endpoint {
  const conditions = endpoint.conditions
    ? definedMembers({
        ready: endpoint.conditions.ready,
        serving: endpoint.conditions.serving,
        terminating: endpoint.conditions.terminating,
      })
    : undefined;
  return definedMembers({ addresses: [...endpoint.addresses], conditions, hostname: endpoint.hostname });
}

/** A source controller may briefly list an endpoint in two slices; it must appear once here. */
function uniqueSortedEndpoints(endpoints: readonly V1Endpoint[]): V1Endpoint[] {
  const byKey = new Map(endpoints.map((endpoint) => [canonicalJson(endpoint.addresses), endpoint]));
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, endpoint]) => endpoint);
}
