import type { Mapping, TenantSpec, ToHostMode } from '@service-replicator/replication-config';

/**
 * How a toHost mirror reaches the tenant's pods. A selector only matches pods in the Service's
 * own namespace, and the tenant's pods run in its host namespace: a mirror written into another
 * (allowed) namespace therefore gets endpoints mirrored from the tenant's EndpointSlices, whose
 * addresses are those same pods' IPs.
 */
export function effectiveToHostMode(mapping: Mapping, tenant: TenantSpec): ToHostMode {
  return mapping.target.namespace === tenant.hostNamespace ? tenant.toHostMode : 'endpoints';
}
