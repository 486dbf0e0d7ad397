import type { V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import { VCLUSTER_MANAGED_BY_LABEL, VCLUSTER_NAMESPACE_LABEL } from './selector-translation';

/** Selects, in a tenant's host namespace, the pods vCluster synced for that tenant. */
export function tenantPodSelector(tenant: string): string {
  return `${VCLUSTER_MANAGED_BY_LABEL}=${tenant}`;
}

/**
 * The IPs by which a host pod serves as one of the tenant's endpoints: a pod vCluster synced for the
 * tenant (its marker label names the tenant, and it carries the tenant namespace it came from, as
 * vCluster's pod translator writes them), not on the node's network (its IP would be the node's),
 * and not finished (its IP may already be someone else's).
 */
export function tenantPodIPs(pod: V1Pod, tenant: string): string[] {
  const labels = pod.metadata?.labels ?? {};
  if (labels[VCLUSTER_MANAGED_BY_LABEL] !== tenant || !labels[VCLUSTER_NAMESPACE_LABEL]) return [];
  if (pod.spec?.hostNetwork || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return [];
  const ips = (pod.status?.podIPs ?? []).map((entry) => entry.ip).filter((ip): ip is string => !!ip);
  return ips.length > 0 ? ips : pod.status?.podIP ? [pod.status.podIP] : [];
}

/** Addresses a tenant's EndpointSlices list, each once, in order of appearance. */
export function endpointAddresses(slices: readonly V1EndpointSlice[]): string[] {
  return [...new Set(slices.flatMap((slice) => (slice.endpoints ?? []).flatMap((endpoint) => endpoint.addresses ?? [])))];
}

/**
 * A tenant writes its own EndpointSlices, so their addresses are whatever it chose: the host API
 * server's, another tenant's pods. Copied into a host Service, only the addresses of the tenant's
 * own pods (as vCluster synced them to the host) are kept; an endpoint left with no address goes,
 * and what was dropped is returned so it can be reported.
 */
export function keepTenantPodAddresses(
  slices: readonly V1EndpointSlice[],
  tenantPods: ReadonlySet<string>,
): { slices: V1EndpointSlice[]; dropped: string[] } {
  const dropped = new Set<string>();
  const kept = slices.map((slice) => {
    const endpoints = (slice.endpoints ?? []).flatMap((endpoint) => {
      const addresses = (endpoint.addresses ?? []).filter((address) => tenantPods.has(address));
      for (const address of endpoint.addresses ?? []) if (!tenantPods.has(address)) dropped.add(address);
      return addresses.length > 0 ? [{ ...endpoint, addresses }] : [];
    });
    return { ...slice, endpoints };
  });
  return { slices: kept, dropped: [...dropped].sort() };
}
