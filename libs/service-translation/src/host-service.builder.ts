import type { V1Service } from '@kubernetes/client-node';
import type { Mapping, TenantSpec } from '@service-replicator/replication-config';
import { buildMirroredService } from './mirrored-service';
import { translateSelector } from './selector-translation';
import { serviceShape } from './service-shape';
import { effectiveToHostMode } from './to-host-mode';

/**
 * toHost: the host Service for a tenant Service. Headless only if the tenant Service is.
 * In `selector` mode it selects the tenant's pods as vCluster runs them on the host; in
 * `endpoints` mode (and in any namespace but the tenant's host namespace) it has no selector and buildHostEndpointSlices supplies its endpoints.
 */
export function buildHostService(tenantService: V1Service, mapping: Mapping, tenant: TenantSpec): V1Service {
  const selector =
    effectiveToHostMode(mapping, tenant) === 'selector'
      ? translateSelector(tenantService.spec?.selector, tenant.name, mapping.source.namespace)
      : undefined;
  return buildMirroredService(tenantService, mapping, {
    headless: serviceShape(tenantService) === 'headless',
    selector,
  });
}
