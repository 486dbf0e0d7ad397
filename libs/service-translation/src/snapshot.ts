import type { V1EndpointSlice, V1Endpoints, V1ObjectMeta, V1Service } from '@kubernetes/client-node';
import type { Mapping, TenantSpec } from '@service-replicator/replication-config';
import { canonicalJson, definedMembers } from './canonical-json';
import { serviceShape } from './service-shape';
import { effectiveToHostMode } from './to-host-mode';

/**
 * What the watchers keep of an object for the writer's passes: everything planning and a PUT need
 * (identity and preconditions, labels, annotations, owners, finalizers, the spec), nothing the
 * server keeps for itself (status, managedFields, timestamps). Timestamps are left out on purpose:
 * a snapshot is JSON, and the typed client only serialises them as Dates.
 */
export function serviceSnapshot(service: V1Service): V1Service {
  return definedMembers({ apiVersion: 'v1', kind: 'Service', metadata: snapshotMetadata(service.metadata), spec: service.spec });
}

export function endpointSliceSnapshot(slice: V1EndpointSlice): V1EndpointSlice {
  return definedMembers({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: snapshotMetadata(slice.metadata),
    addressType: slice.addressType,
    endpoints: slice.endpoints ?? [],
    ports: slice.ports,
  });
}

export function endpointsSnapshot(endpoints: V1Endpoints): V1Endpoints {
  return definedMembers({ apiVersion: 'v1', kind: 'Endpoints', metadata: snapshotMetadata(endpoints.metadata), subsets: endpoints.subsets ?? [] });
}

function snapshotMetadata(metadata: V1ObjectMeta | undefined): V1ObjectMeta {
  return definedMembers({
    name: metadata?.name,
    namespace: metadata?.namespace,
    uid: metadata?.uid,
    resourceVersion: metadata?.resourceVersion,
    labels: metadata?.labels,
    annotations: metadata?.annotations,
    ownerReferences: metadata?.ownerReferences,
    finalizers: metadata?.finalizers,
  });
}

/**
 * The fields of a source Service its mirror is built from. A change anywhere else (status, labels,
 * annotations, a load balancer's address) cannot change a mirror, so it enqueues nothing.
 */
export function sourceFingerprint(service: V1Service): string {
  const spec = service.spec ?? {};
  return canonicalJson({
    type: spec.type,
    clusterIP: spec.clusterIP,
    clusterIPs: spec.clusterIPs,
    ports: spec.ports,
    selector: spec.selector,
    externalName: spec.externalName,
  });
}

/**
 * Whether a source's EndpointSlices feed its mirror: a headless host Service's endpoints are copied
 * (fromHost), as are a tenant Service's in toHost `endpoints` mode. A ClusterIP source's slices
 * change with every pod and never change its mirror.
 */
export function sourceSlicesMatter(mapping: Mapping, tenant: TenantSpec, source: V1Service | undefined): boolean {
  if (!source) return false;
  if (mapping.direction === 'toHost') return effectiveToHostMode(mapping, tenant) === 'endpoints';
  return serviceShape(source) === 'headless';
}

/**
 * Whether the core/v1 Endpoints at a tenant's targets matter to its passes, so that the watchers keep
 * them in the snapshots: when the tenant writes Endpoints, or adopts vCluster's mirrors (whose
 * Endpoints are removed or taken over). Otherwise they are neither watched nor read.
 */
export function targetEndpointsMatter(tenant: TenantSpec | undefined): boolean {
  return !!tenant?.endpoints || !!tenant?.adoptVClusterMirrors;
}
