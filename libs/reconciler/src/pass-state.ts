import type { V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import type { KubeCluster } from '@service-replicator/kube';
import type { Direction, Mapping, MappingKeyParts, TenantSpec } from '@service-replicator/replication-config';
import { HOST_CLUSTER, tenantCluster, type ClusterId, type MappingStore, type PodAddressLookup, type SnapshotStore } from '@service-replicator/replication-queue';
import { effectiveToHostMode, endpointAddresses, targetEndpointsMatter, tenantPodIPs, tenantPodSelector } from '@service-replicator/service-translation';

/** What a pass reads and writes of the watchers' snapshots (SnapshotStore; InMemorySnapshotStore in unit tests). */
export type PassSnapshots = Pick<SnapshotStore, 'read' | 'awaitSync' | 'putService' | 'putSlice' | 'putEndpoints' | 'deleteService' | 'deleteSlice' | 'deleteEndpoints'>;

/** Where a pass looks up its key's mapping and tenant (MappingStore). */
export type MappingLookup = Pick<MappingStore, 'lookup'>;

/** Both sides of one key as a pass knows them; updated in place by the pass's own writes. */
export interface PassState {
  source?: V1Service;
  sourceSlices: readonly V1EndpointSlice[];
  target?: V1Service;
  targetSlices: readonly V1EndpointSlice[];
  /** The target's core/v1 Endpoints, for tenants whose options make them matter. */
  targetEndpoints?: V1Endpoints;
}

/** The clusters a key reads from and writes into, as clients and as snapshot ids. */
export interface PassSides {
  readonly source: KubeCluster;
  readonly target: KubeCluster;
  readonly sourceId: ClusterId;
  readonly targetId: ClusterId;
}

export function sideIds(direction: Direction, tenant: string): { sourceId: ClusterId; targetId: ClusterId } {
  return direction === 'fromHost'
    ? { sourceId: HOST_CLUSTER, targetId: tenantCluster(tenant) }
    : { sourceId: tenantCluster(tenant), targetId: HOST_CLUSTER };
}

/** Why a pass cannot plan yet: a namespace no watcher has listed, so its snapshot means nothing. */
export interface NotSynced {
  readonly waitingFor: string;
  /** The snapshot cluster and namespace waited for, when it is a namespace not listed yet. */
  readonly cluster?: string;
  readonly namespace?: string;
  /** The watcher's own account of why it cannot list that namespace, if it gave one. */
  readonly watchError?: string;
}

/**
 * Reads a key's state from the watchers' snapshots (no API request). A removed fromHost mapping
 * is the exception: no watcher follows its target any more, so the target is read from its API
 * server once, to delete exactly what is there.
 */
export async function readPassState(
  snapshots: PassSnapshots,
  sides: PassSides,
  parts: MappingKeyParts,
  mapping: Mapping | undefined,
  tenant: TenantSpec,
): Promise<PassState | NotSynced> {
  if (!mapping) {
    if (parts.direction === 'toHost') return { sourceSlices: [], targetSlices: [] };
    const { service, slices, endpoints } = await sides.target.readView(parts.target, { endpoints: targetEndpointsMatter(tenant) });
    return { target: service, targetSlices: slices, targetEndpoints: endpoints, sourceSlices: [] };
  }
  const [source, target] = await Promise.all([snapshots.read(sides.sourceId, mapping.source), readTargetState(snapshots, sides, parts, tenant)]);
  if (!source.synced) return { waitingFor: `${sides.source.name} namespace ${mapping.source.namespace}`, watchError: source.watchError, cluster: sides.sourceId, namespace: mapping.source.namespace };
  return isNotSynced(target) ? target : { ...target, source: source.service, sourceSlices: source.slices };
}

/**
 * Only the target, from its snapshot: part of every pass, and all of one for a mapping whose source
 * the tenant may not read, where all a pass may do is remove what we wrote before.
 */
export async function readTargetState(snapshots: PassSnapshots, sides: PassSides, parts: MappingKeyParts, tenant: TenantSpec): Promise<PassState | NotSynced> {
  const target = await snapshots.read(sides.targetId, parts.target);
  if (!target.synced) return { waitingFor: `${sides.target.name} namespace ${parts.target.namespace}`, watchError: target.watchError, cluster: sides.targetId, namespace: parts.target.namespace };
  // Until the watcher follows the target namespace's Endpoints (just turned on), "none stored" means nothing.
  if (targetEndpointsMatter(tenant) && !target.endpointsWatched) return { waitingFor: `${sides.target.name} namespace ${parts.target.namespace} (its Endpoints)` };
  return { sourceSlices: [], target: target.service, targetSlices: target.slices, targetEndpoints: target.endpoints };
}

/** Where a pass looks up which addresses are IPs of a tenant's own pods (host-watcher keeps them). */
export interface TenantPodLookup {
  lookup(tenant: string, addresses: readonly string[]): Promise<PodAddressLookup>;
}

/**
 * For a toHost mirror in `endpoints` mode, which of the source's endpoint addresses are the tenant's
 * own pods (from host-watcher's snapshot); undefined when the mirror copies no addresses.
 */
export async function readTenantPods(
  pods: TenantPodLookup,
  tenant: TenantSpec,
  mapping: Mapping | undefined,
  state: PassState,
): Promise<ReadonlySet<string> | NotSynced | undefined> {
  if (mapping?.direction !== 'toHost' || !state.source || effectiveToHostMode(mapping, tenant) !== 'endpoints') return undefined;
  const found = await pods.lookup(tenant.name, endpointAddresses(state.sourceSlices));
  if (!found.synced) return { waitingFor: `host pods of tenant ${tenant.name} in namespace ${tenant.hostNamespace}`, watchError: found.watchError };
  return found.owned;
}

/** The tenant's pod IPs as the host API server lists them now (the CLI's dry run). */
export async function listTenantPods(host: KubeCluster, tenant: TenantSpec): Promise<ReadonlySet<string>> {
  const pods = await host.listPods(tenant.hostNamespace, tenantPodSelector(tenant.name));
  return new Set(pods.flatMap((pod) => tenantPodIPs(pod, tenant.name)));
}

/** Both sides read from their API servers, as they are now (the CLI's dry run). */
export async function readLiveState(
  sides: Pick<PassSides, 'source' | 'target'>,
  parts: MappingKeyParts,
  mapping: Mapping | undefined,
  tenant: TenantSpec,
): Promise<PassState> {
  const [source, target] = await Promise.all([
    mapping ? sides.source.readView(mapping.source) : { service: undefined, slices: [] },
    sides.target.readView(parts.target, { endpoints: targetEndpointsMatter(tenant) }),
  ]);
  return { source: source.service, sourceSlices: source.slices, target: target.service, targetSlices: target.slices, targetEndpoints: target.endpoints };
}

export function isNotSynced<T extends object>(state: T | NotSynced | undefined): state is NotSynced {
  return state !== undefined && 'waitingFor' in state;
}
