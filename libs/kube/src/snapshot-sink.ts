import type { V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import type { ObjectRef } from '@service-replicator/references';

/**
 * Where a ClusterWatcher keeps the snapshots the writer's passes read (the Redis SnapshotStore in
 * the apps, a map in tests). Writes report whether they changed anything: a write of the version
 * already stored (the echo of the writer's own write) changes nothing and enqueues nothing.
 */
export interface SnapshotSink {
  putService(cluster: string, service: V1Service): Promise<boolean>;
  putSlice(cluster: string, service: ObjectRef, slice: V1EndpointSlice): Promise<boolean>;
  deleteService(cluster: string, ref: ObjectRef, uid: string | undefined): Promise<boolean>;
  deleteSlice(cluster: string, service: ObjectRef, slice: { name: string; uid?: string }): Promise<boolean>;
  /** core/v1 Endpoints, kept for targets where they matter (named like the Service). */
  putEndpoints(cluster: string, service: ObjectRef, endpoints: V1Endpoints): Promise<boolean>;
  deleteEndpoints(cluster: string, service: ObjectRef, uid: string | undefined): Promise<boolean>;
  replace(
    cluster: string,
    ref: ObjectRef,
    view: { service?: V1Service; slices: readonly V1EndpointSlice[]; endpoints?: V1Endpoints },
    listVersion: string,
  ): Promise<boolean>;
  drop(cluster: string, refs: readonly ObjectRef[]): Promise<void>;
  markSynced(cluster: string, namespaces: readonly string[], holder: string, options?: { endpoints?: boolean }): Promise<void>;
  markFailed(cluster: string, namespace: string, reason: string): Promise<void>;
  unmarkSynced(cluster: string, namespaces: readonly string[]): Promise<void>;
  syncedNamespaces(cluster: string): Promise<Set<string>>;
  /** The keys whose passes found the namespace not listed yet (removed as they are returned): enqueued once it is. */
  takeWaiting(cluster: string, namespace: string): Promise<string[]>;
}
