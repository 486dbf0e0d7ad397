// In-memory clusters, snapshots and mappings for the reconcile table tests (not exported from the lib).
import assert from 'node:assert/strict';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { InMemoryClusters, type InMemoryCluster } from '@service-replicator/kube/testing';
import { mappingKeyOf, type Mapping, type TenantSpec } from '@service-replicator/replication-config';
import { HOST_CLUSTER, tenantCluster, type ClusterId } from '@service-replicator/replication-queue';
import { InMemoryMappingStore, InMemorySnapshotStore } from '@service-replicator/replication-queue/testing';
import { buildTenantEndpointSlices, buildTenantService, ownedBy } from '@service-replicator/service-translation';
import type { PodAddressLookup } from '@service-replicator/replication-queue';
import { Reconciler } from './reconciler';

export const TENANT: TenantSpec = {
  name: 'a',
  hostNamespace: 'vc-a',
  kubeconfig: { file: '/etc/tenants/a.yaml' },
  allowedHostNamespaces: ['shared'],
  fromHostNamespaces: ['shared'],
  config: { file: '/etc/tenants/a.vcluster.yaml' },
  toHostMode: 'selector',
};

export const FROM_HOST: Mapping = { tenant: 'a', direction: 'fromHost', source: { namespace: 'shared', name: 'db' }, target: { namespace: 'default', name: 'db' } };
export const TO_HOST: Mapping = { tenant: 'a', direction: 'toHost', source: { namespace: 'default', name: 'web' }, target: { namespace: 'vc-a', name: 'web' } };

/** One cluster's objects, by kind. */
export interface Objects {
  readonly Service?: readonly V1Service[];
  readonly EndpointSlice?: readonly V1EndpointSlice[];
}

export interface WorldSpec {
  readonly mappings: readonly Mapping[];
  readonly host?: Objects;
  readonly tenant?: Objects;
  /** Namespaces no watcher has listed yet (`host:shared`, `tenant:default`): their snapshots are not vouched for. */
  readonly notSynced?: readonly string[];
  /** The host's namespaces (default: shared and vc-a). */
  readonly hostNamespaces?: readonly string[];
  /** What happens after the watchers wrote their snapshots, before the pass. */
  readonly meanwhile?: (world: World) => void | Promise<void>;
}

/**
 * Both clusters holding `spec`'s objects, and the snapshots the watchers would keep of them
 * (every namespace of each cluster vouched for, unless listed in `notSynced`).
 */
export class World {
  readonly clusters = new InMemoryClusters();
  readonly snapshots = new InMemorySnapshotStore();
  readonly mappings = new InMemoryMappingStore();
  readonly reconciler: Reconciler;

  constructor(readonly spec: WorldSpec) {
    this.reconciler = new Reconciler(this.clusters, this.mappings, this.snapshots, { lookup: async (): Promise<PodAddressLookup> => ({ synced: true, owned: new Set() }) });
  }

  get host(): InMemoryCluster {
    return this.clusters.host;
  }

  get tenant(): InMemoryCluster {
    return this.clusters.tenantCluster(TENANT.name);
  }

  async build(): Promise<this> {
    const hostNamespaces = this.spec.hostNamespaces ?? ['shared', 'vc-a'];
    this.host.addNamespaces(...hostNamespaces);
    await this.mappings.publish(TENANT, this.spec.mappings);
    // A watcher lists the namespaces the mappings name, whether they exist or not.
    const named = (direction: Mapping['direction'], side: 'source' | 'target') => this.spec.mappings.filter((m) => m.direction === direction).map((m) => m[side].namespace);
    await this.load(this.host, HOST_CLUSTER, this.spec.host ?? {}, [...hostNamespaces, ...named('fromHost', 'source'), ...named('toHost', 'target')]);
    await this.load(this.tenant, tenantCluster(TENANT.name), this.spec.tenant ?? {}, ['default', ...named('fromHost', 'target'), ...named('toHost', 'source')]);
    await this.spec.meanwhile?.(this);
    return this;
  }

  /** A pass for `mapping`'s key. */
  reconcile(mapping: Mapping) {
    return this.reconciler.reconcile(mappingKeyOf(mapping));
  }

  private async load(cluster: InMemoryCluster, id: ClusterId, objects: Objects, namespaces: readonly string[]): Promise<void> {
    const side = id === HOST_CLUSTER ? 'host' : 'tenant';
    const services = cluster.seed('Service', ...(objects.Service ?? []));
    const slices = cluster.seed('EndpointSlice', ...(objects.EndpointSlice ?? []));
    for (const service of services) await this.snapshots.putService(id, service);
    for (const slice of slices) await this.snapshots.putSlice(id, { namespace: slice.metadata?.namespace ?? '', name: slice.metadata?.labels?.['kubernetes.io/service-name'] ?? '' }, slice);
    const listed = [...new Set([...namespaces, ...services.map((s) => s.metadata?.namespace ?? '')])].filter((ns) => !this.spec.notSynced?.includes(`${side}:${ns}`));
    await this.snapshots.markSynced(id, listed, `${side}-watcher`);
  }
}

/** A Service as a user would have made it (the server's fields are added when it is stored). */
export function service(namespace: string, name: string, spec: V1Service['spec'], labels: Record<string, string> = {}): V1Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name, labels }, spec: { type: 'ClusterIP', ...spec } };
}

/** The tenant mirror of a host `source` as an earlier pass wrote it: the Service and its EndpointSlices. */
export function fromHostMirror(source: V1Service): Objects {
  const mirror = buildTenantService(source, FROM_HOST);
  const withUid = { ...mirror, metadata: { ...mirror.metadata, uid: 'uid-mirror-db' } };
  return { Service: [withUid], EndpointSlice: buildTenantEndpointSlices(source, [], FROM_HOST).map((slice) => ownedBy(slice, withUid)) };
}

/** `actual` holds every field of `expected` (objects as subsets, arrays element by element); `undefined` means absent. */
export function assertHolds(actual: unknown, expected: unknown, path = '$'): void {
  if (expected === undefined) return assert.equal(actual, undefined, `${path}: expected absent`);
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path}: length of ${JSON.stringify(actual)}`);
    return expected.forEach((item, index) => assertHolds(actual[index], item, `${path}[${index}]`));
  }
  if (expected === null || typeof expected !== 'object') return assert.deepEqual(actual, expected, path);
  assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object, got ${JSON.stringify(actual)}`);
  for (const [key, value] of Object.entries(expected)) assertHolds((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
}
