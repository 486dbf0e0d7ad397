import type { V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import { formatRef, type ObjectRef } from '@service-replicator/references';
import { endpointSliceSnapshot, endpointsSnapshot, serviceSnapshot } from '@service-replicator/service-translation';
import { FencedError, type Fence } from '@service-replicator/leases';
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
const WAITING_TTL_SECONDS = 300;
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
  constructor(private readonly redis: RedisClient, private readonly prefix: string, private readonly fence?: Fence) {
    defineSnapshotCommands(redis);
  }

  /**
   * The same store, every write of which is checked against `fence` in the same script: once the
   * lease is lost (taken over by another replica), writes are refused with FencedError.
   */
  fenced(fence: Fence): SnapshotStore {
    return new SnapshotStore(this.redis, this.prefix, fence);
  }

  /** Stores the Service unless a newer (or the same) version is stored; true when it changed. */
  async putService(cluster: ClusterId, service: V1Service): Promise<boolean> {
    const snapshot = serviceSnapshot(service);
    return this.put(this.key(cluster, refOf(service)), SERVICE_FIELD, encode(snapshot));
  }

  async putSlice(cluster: ClusterId, service: ObjectRef, slice: V1EndpointSlice): Promise<boolean> {
    const snapshot = endpointSliceSnapshot(slice);
    return this.put(this.key(cluster, service), sliceField(slice), encode(snapshot));
  }

  /** Stores the core/v1 Endpoints named like `service`, unless a newer (or the same) version is stored. */
  async putEndpoints(cluster: ClusterId, service: ObjectRef, endpoints: V1Endpoints): Promise<boolean> {
    return this.put(this.key(cluster, service), ENDPOINTS_FIELD, encode(endpointsSnapshot(endpoints)));
  }

  async deleteEndpoints(cluster: ClusterId, service: ObjectRef, uid: string | undefined): Promise<boolean> {
    return this.remove(this.key(cluster, service), ENDPOINTS_FIELD, uid);
  }

  /** Forgets the Service if the stored one is the object that was deleted (same uid). */
  async deleteService(cluster: ClusterId, ref: ObjectRef, uid: string | undefined): Promise<boolean> {
    return this.remove(this.key(cluster, ref), SERVICE_FIELD, uid);
  }

  async deleteSlice(cluster: ClusterId, service: ObjectRef, slice: { name: string; uid?: string }): Promise<boolean> {
    return this.remove(this.key(cluster, service), `${SLICE_FIELD}${slice.name}`, slice.uid);
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
    const key = this.key(cluster, ref);
    return this.checked(await this.redis.srSnapshotReplace(key, ...this.fenceArgs(key), listVersion, ...fields)) > 0;
  }

  /** Removes the snapshots of Services no mapping names any more. */
  async drop(cluster: ClusterId, refs: readonly ObjectRef[]): Promise<void> {
    if (refs.length > 0) await this.write('DEL', refs.map((ref) => this.key(cluster, ref)), []);
  }

  /**
   * The watcher of `cluster` has listed `namespaces` and keeps their snapshots current, with the
   * targets' core/v1 Endpoints when `endpoints` says so.
   */
  async markSynced(cluster: ClusterId, namespaces: readonly string[], holder: string, options: { endpoints?: boolean } = {}): Promise<void> {
    if (namespaces.length === 0) return;
    const mark: SyncMark = { holder, at: new Date().toISOString(), ...(options.endpoints ? { endpoints: true } : {}) };
    const value = JSON.stringify(mark);
    await this.write('HSET', [this.syncedKey(cluster)], namespaces.flatMap((namespace) => [namespace, value]));
  }

  /** The watcher of `cluster` cannot list `namespace`, and why: passes report it instead of waiting. */
  async markFailed(cluster: ClusterId, namespace: string, reason: string): Promise<void> {
    await this.write('HSET', [this.syncedKey(cluster)], [namespace, JSON.stringify({ error: reason, at: new Date().toISOString() })]);
  }

  async unmarkSynced(cluster: ClusterId, namespaces: readonly string[]): Promise<void> {
    if (namespaces.length > 0) await this.write('HDEL', [this.syncedKey(cluster)], namespaces);
  }

  /** The namespaces some watcher vouches for (a watcher checks its own are still there after a Redis restart). */
  async syncedNamespaces(cluster: ClusterId): Promise<Set<string>> {
    const marks = await this.redis.hgetall(this.syncedKey(cluster));
    return new Set(Object.entries(marks).filter(([, mark]) => !parseMark(mark).error).map(([namespace]) => namespace));
  }

  /**
   * A pass for `key` found `namespace` not listed yet: the watcher that lists it enqueues the key
   * then (takeWaiting), so the pass need not wait out its retry delay. Forgotten after 5 minutes.
   */
  async awaitSync(cluster: ClusterId, namespace: string, key: string): Promise<void> {
    await this.redis.multi().sadd(this.waitingKey(cluster, namespace), key).expire(this.waitingKey(cluster, namespace), WAITING_TTL_SECONDS).exec();
  }

  async takeWaiting(cluster: ClusterId, namespace: string): Promise<string[]> {
    const results = await this.redis.multi().smembers(this.waitingKey(cluster, namespace)).del(this.waitingKey(cluster, namespace)).exec();
    return (results?.[0]?.[1] as string[] | undefined) ?? [];
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

  private async put(key: string, field: string, value: string): Promise<boolean> {
    return this.checked(await this.redis.srSnapshotPut(key, ...this.fenceArgs(key), field, value)) === 1;
  }

  private async remove(key: string, field: string, uid: string | undefined): Promise<boolean> {
    return this.checked(await this.redis.srSnapshotDelete(key, ...this.fenceArgs(key), field, uid ?? '')) === 1;
  }

  /** A plain write, or the same through the fence script when this store is fenced. */
  private async write(command: 'HSET' | 'HDEL' | 'DEL', keys: readonly string[], args: readonly string[]): Promise<void> {
    if (!this.fence) {
      if (command === 'DEL') await this.redis.del(...keys);
      else await this.redis.call(command, keys[0], ...args);
      return;
    }
    const { key, holder, token } = this.fence;
    this.checked(await this.redis.srFenced(keys.length + 1, key, ...keys, holder, String(token), command, ...args));
  }

  /** The fence arguments of a snapshot script: the lease's, or none (the key itself stands in, unread). */
  private fenceArgs(key: string): [string, string, string] {
    return this.fence ? [this.fence.key, this.fence.holder, String(this.fence.token)] : [key, '', ''];
  }

  private checked(result: number): number {
    if (result === -1 && this.fence) throw new FencedError(this.fence);
    return result;
  }

  private key(cluster: ClusterId, ref: ObjectRef): string {
    return `${this.prefix}:replicator:snap:${cluster}:${formatRef(ref)}`;
  }

  private waitingKey(cluster: ClusterId, namespace: string): string {
    return `${this.prefix}:replicator:waiting:${cluster}:${namespace}`;
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
