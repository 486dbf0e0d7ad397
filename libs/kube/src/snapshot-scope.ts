import type { V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import { parseMappingKey, type Mapping, type TenantSpec, type WatchedService, type WatchPlan } from '@service-replicator/replication-config';
import { sourceSlicesMatter, targetEndpointsMatter } from '@service-replicator/service-translation';

/**
 * What a watcher keeps of the Services a plan names, given the tenants' specs: which slices feed a
 * mirror, which Services' slices are stored, and where core/v1 Endpoints are followed at all.
 */
export class SnapshotScope {
  constructor(readonly plan: WatchPlan, private readonly tenants: ReadonlyMap<string, TenantSpec>) {}

  /** The mappings whose mirrors copy this source's endpoints (a headless source, toHost endpoints mode). */
  fedBySlices(watched: WatchedService, source: V1Service | undefined): Mapping[] {
    return watched.sourceOf.filter((mapping) => {
      const tenant = this.tenants.get(mapping.tenant);
      return tenant !== undefined && sourceSlicesMatter(mapping, tenant, source);
    });
  }

  /** Whether a watched Service's slices belong in its snapshot: a target's always, a source's when copied. */
  keepsSlices(watched: WatchedService, service: V1Service | undefined): boolean {
    return watched.targetOf.length > 0 || this.fedBySlices(watched, service).length > 0;
  }

  /** Whether a target in the namespace belongs to a tenant whose passes need the targets' Endpoints. */
  wantsEndpoints(namespace: string): boolean {
    return this.plan.inNamespace(namespace).some((watched) =>
      watched.targetOf.some((key) => targetEndpointsMatter(this.tenants.get(parseMappingKey(key)?.tenant ?? ''))),
    );
  }

  /** What the snapshot of a watched Service holds: its slices when they matter, a target's Endpoints where followed. */
  view(watched: WatchedService, service: V1Service | undefined, slices: readonly V1EndpointSlice[], endpoints: V1Endpoints | undefined) {
    const targetEndpoints = watched.targetOf.length > 0 ? endpoints : undefined;
    return { service, slices: this.keepsSlices(watched, service) ? slices : [], ...(targetEndpoints ? { endpoints: targetEndpoints } : {}) };
  }
}
