import type { V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import { formatRef, type ObjectRef } from '@service-replicator/references';
import { endpointSliceSnapshot, endpointsSnapshot, serviceSnapshot } from '@service-replicator/service-translation';
import type { RedisClient } from './redis-connection';
import { defineSnapshotCommands } from './snapshot-scripts';

/** `host`, or `tenant.<name>` (a dot cannot appear in a tenant name, so the two never meet). */
export type ClusterId = string;
export const HOST_CLUSTER: ClusterId = 'host';
export const tenantCluster = (tenant: string): ClusterId => `tenant.${tenant}`;

/** A Service and the EndpointSlices labelled with its name, as one side of a pass sees them. */
export interface ServiceView {
  readonly service?: V1Service;
  readonly slices: readonly V1EndpointSlice[];
  /** The core/v1 Endpoints of the same name, kept only where the watcher follows Endpoints. */
  readonly endpoints?: V1Endpoints;
}

/** A view read from the snapshots; `synced` is false while no watcher vouches for the namespace. */
export interface SnapshotView extends ServiceView {
  readonly synced: boolean;
  /** Why the watcher cannot list the namespace (e.g. forbidden), when it said so. */
  readonly watchError?: string;
  /** The watcher follows core/v1 Endpoints in the namespace, so `endpoints` absent means there are none. */
  readonly endpointsWatched: boolean;
}

/** What a watcher writes when it vouches for a namespace, or says why it cannot. */
interface SyncMark {
  readonly holder?: string;
  readonly at: string;
  readonly endpoints?: boolean;
  readonly error?: string;
}

const SERVICE_FIELD = 'svc';
const SLICE_FIELD = 'slice:';
const ENDPOINTS_FIELD = 'ep';

/**
 * The watchers' snapshots of the Services (and their EndpointSlices) that mappings read or write,
 * kept in Redis so that a writer's pass reads state without asking an API server. One hash per
 * Service; each field is `<resourceVersion> <uid> <json>`. Writes are resourceVersion-monotonic
 * (scripts in snapshot-scripts.ts): a late or repeated event never replaces newer state, and a
 * write that changes nothing says so, which is how a watcher recognises the echo of the writer's own
 * write and enqueues nothing for it. Snapshots may still lag the cluster: every write a pass makes
 * carries the uid/resourceVersion it read, so a stale snapshot costs a 409 and a retry, never a
 * wrong write.
 */
export class SnapshotStore {
  constructor(private readonly redis: RedisClient, private readonly prefix: string) {
    defineSnapshotCommands(redis);
  }

  /** Stores the Service unless a newer (or the same) version is stored; true when it changed. */
  async putService(cluster: ClusterId, service: V1Service): Promise<boolean> {
    const snapshot = serviceSnapshot(service);
    return (await this.redis.srSnapshotPut(this.key(cluster, refOf(service)), SERVICE_FIELD, encode(snapshot))) === 1;
  }

  async putSlice(cluster: ClusterId, service: ObjectRef, slice: V1EndpointSlice): Promise<boolean> {
    const snapshot = endpointSliceSnapshot(slice);
    return (await this.redis.srSnapshotPut(this.key(cluster, service), sliceField(slice), encode(snapshot))) === 1;
  }

  /** Stores the core/v1 Endpoints named like `service`, unless a newer (or the same) version is stored. */
  async putEndpoints(cluster: ClusterId, service: ObjectRef, endpoints: V1Endpoints): Promise<boolean> {
    return (await this.redis.srSnapshotPut(this.key(cluster, service), ENDPOINTS_FIELD, encode(endpointsSnapshot(endpoints)))) === 1;
  }

  async deleteEndpoints(cluster: ClusterId, service: ObjectRef, uid: string | undefined): Promise<boolean> {
    return (await this.redis.srSnapshotDelete(this.key(cluster, service), ENDPOINTS_FIELD, uid ?? '')) === 1;
  }

  /** Forgets the Service if the stored one is the object that was deleted (same uid). */
  async deleteService(cluster: ClusterId, ref: ObjectRef, uid: string | undefined): Promise<boolean> {
    return (await this.redis.srSnapshotDelete(this.key(cluster, ref), SERVICE_FIELD, uid ?? '')) === 1;
  }

  async deleteSlice(cluster: ClusterId, service: ObjectRef, slice: { name: string; uid?: string }): Promise<boolean> {
    return (await this.redis.srSnapshotDelete(this.key(cluster, service), `${SLICE_FIELD}${slice.name}`, slice.uid ?? '')) === 1;
  }

  /**
   * Makes the snapshot of `ref` what a fresh list (at `listVersion`) says: newer objects are stored,
   * objects the list no longer holds are forgotten unless stored after the list was taken. This is
   * how a (re)started watcher catches up on events it missed. True when anything changed.
   */
  async replace(cluster: ClusterId, ref: ObjectRef, view: ServiceView, listVersion: string): Promise<boolean> {
    const fields: string[] = [];
    if (view.service) fields.push(SERVICE_FIELD, encode(serviceSnapshot(view.service)));
    for (const slice of view.slices) fields.push(sliceField(slice), encode(endpointSliceSnapshot(slice)));
    if (view.endpoints) fields.push(ENDPOINTS_FIELD, encode(endpointsSnapshot(view.endpoints)));
    return (await this.redis.srSnapshotReplace(this.key(cluster, ref), listVersion, ...fields)) > 0;
  }

  /** Removes the snapshots of Services no mapping names any more. */
  async drop(cluster: ClusterId, refs: readonly ObjectRef[]): Promise<void> {
    if (refs.length > 0) await this.redis.del(...refs.map((ref) => this.key(cluster, ref)));
  }

  /**
   * The watcher of `cluster` has listed `namespaces` and keeps their snapshots current, with the
   * targets' core/v1 Endpoints when `endpoints` says so.
   */
  async markSynced(cluster: ClusterId, namespaces: readonly string[], holder: string, options: { endpoints?: boolean } = {}): Promise<void> {
    if (namespaces.length === 0) return;
    const mark: SyncMark = { holder, at: new Date().toISOString(), ...(options.endpoints ? { endpoints: true } : {}) };
    const value = JSON.stringify(mark);
    await this.redis.hset(this.syncedKey(cluster), Object.fromEntries(namespaces.map((namespace) => [namespace, value])));
  }

  /** The watcher of `cluster` cannot list `namespace`, and why: passes report it instead of waiting. */
  async markFailed(cluster: ClusterId, namespace: string, reason: string): Promise<void> {
    await this.redis.hset(this.syncedKey(cluster), namespace, JSON.stringify({ error: reason, at: new Date().toISOString() }));
  }

  async unmarkSynced(cluster: ClusterId, namespaces: readonly string[]): Promise<void> {
    if (namespaces.length > 0) await this.redis.hdel(this.syncedKey(cluster), ...namespaces);
  }

  /** The namespaces some watcher vouches for (a watcher checks its own are still there after a Redis restart). */
  async syncedNamespaces(cluster: ClusterId): Promise<Set<string>> {
    const marks = await this.redis.hgetall(this.syncedKey(cluster));
    return new Set(Object.entries(marks).filter(([, mark]) => !parseMark(mark).error).map(([namespace]) => namespace));
  }

  async read(cluster: ClusterId, ref: ObjectRef): Promise<SnapshotView> {
    const [fields, rawMark] = await Promise.all([this.redis.hgetall(this.key(cluster, ref)), this.redis.hget(this.syncedKey(cluster), ref.namespace)]);
    let service: V1Service | undefined;
    let endpoints: V1Endpoints | undefined;
    const slices: V1EndpointSlice[] = [];
    for (const [field, value] of Object.entries(fields)) {
      if (field === SERVICE_FIELD) service = decode<V1Service>(value);
      else if (field === ENDPOINTS_FIELD) endpoints = decode<V1Endpoints>(value);
      else if (field.startsWith(SLICE_FIELD)) slices.push(decode<V1EndpointSlice>(value));
    }
    slices.sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
    const mark = rawMark === null ? undefined : parseMark(rawMark);
    const watchError = mark?.error;
    return {
      service,
      slices,
      ...(endpoints ? { endpoints } : {}),
      synced: mark !== undefined && !watchError,
      endpointsWatched: mark?.endpoints === true,
      ...(watchError ? { watchError } : {}),
    };
  }

  private key(cluster: ClusterId, ref: ObjectRef): string {
    return `${this.prefix}:replicator:snap:${cluster}:${formatRef(ref)}`;
  }

  private syncedKey(cluster: ClusterId): string {
    return `${this.prefix}:replicator:synced:${cluster}`;
  }
}

function parseMark(mark: string): SyncMark {
  return JSON.parse(mark) as SyncMark;
}

function refOf(object: V1Service): ObjectRef {
  return { namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' };
}

function sliceField(slice: V1EndpointSlice): string {
  return `${SLICE_FIELD}${slice.metadata?.name ?? ''}`;
}

/** `<resourceVersion> <uid> <json>`: the scripts compare the first two without parsing the JSON. */
function encode(object: V1Service | V1EndpointSlice | V1Endpoints): string {
  return `${object.metadata?.resourceVersion ?? ''} ${object.metadata?.uid ?? ''} ${JSON.stringify(object)}`;
}

function decode<T>(value: string): T {
  const json = value.indexOf(' ', value.indexOf(' ') + 1) + 1;
  return JSON.parse(value.slice(json)) as T;
}
