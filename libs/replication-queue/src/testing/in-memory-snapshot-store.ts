import type { KubernetesObject, V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import { formatRef, type ObjectRef } from '@service-replicator/references';
import { endpointSliceSnapshot, endpointsSnapshot, serviceSnapshot } from '@service-replicator/service-translation';
import type { ClusterId, ServiceView, SnapshotView } from '../snapshot-store';

const SERVICE = 'svc';
const ENDPOINTS = 'ep';
const sliceField = (name: string) => `slice:${name}`;

/** resourceVersions compared as the Lua scripts do: decimal integers, a longer one is larger. */
function newer(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

const versionOf = (object: KubernetesObject) => object.metadata?.resourceVersion ?? '';

/**
 * SnapshotStore's semantics without Redis, for unit tests of what reads and writes snapshots
 * (passes, watchers): one map of fields per Service, resourceVersion-monotonic puts (an older or
 * equal version changes nothing and says so), deletes only of the uid given, replace from a list,
 * per-namespace synced marks. Objects are stored in their snapshot form, as in Redis.
 */
export class InMemorySnapshotStore {
  private readonly services = new Map<string, Map<string, KubernetesObject>>();
  private readonly waiting = new Map<string, Set<string>>();
  private readonly marks = new Map<ClusterId, Map<string, { holder?: string; endpoints?: boolean; error?: string }>>();

  async putService(cluster: ClusterId, service: V1Service): Promise<boolean> {
    return this.put(cluster, { namespace: service.metadata?.namespace ?? '', name: service.metadata?.name ?? '' }, SERVICE, serviceSnapshot(service));
  }

  async putSlice(cluster: ClusterId, service: ObjectRef, slice: V1EndpointSlice): Promise<boolean> {
    return this.put(cluster, service, sliceField(slice.metadata?.name ?? ''), endpointSliceSnapshot(slice));
  }

  async putEndpoints(cluster: ClusterId, service: ObjectRef, endpoints: V1Endpoints): Promise<boolean> {
    return this.put(cluster, service, ENDPOINTS, endpointsSnapshot(endpoints));
  }

  async deleteService(cluster: ClusterId, ref: ObjectRef, uid: string | undefined): Promise<boolean> {
    return this.remove(cluster, ref, SERVICE, uid);
  }

  async deleteSlice(cluster: ClusterId, service: ObjectRef, slice: { name: string; uid?: string }): Promise<boolean> {
    return this.remove(cluster, service, sliceField(slice.name), slice.uid);
  }

  async deleteEndpoints(cluster: ClusterId, service: ObjectRef, uid: string | undefined): Promise<boolean> {
    return this.remove(cluster, service, ENDPOINTS, uid);
  }

  async replace(cluster: ClusterId, ref: ObjectRef, view: ServiceView, listVersion: string): Promise<boolean> {
    const listed = new Map<string, KubernetesObject>();
    if (view.service) listed.set(SERVICE, serviceSnapshot(view.service));
    for (const slice of view.slices) listed.set(sliceField(slice.metadata?.name ?? ''), endpointSliceSnapshot(slice));
    if (view.endpoints) listed.set(ENDPOINTS, endpointsSnapshot(view.endpoints));
    const fields = this.fields(cluster, ref);
    let changed = 0;
    for (const [field, object] of listed) {
      const old = fields.get(field);
      if (old && !newer(versionOf(object), versionOf(old))) continue;
      fields.set(field, object);
      changed += 1;
    }
    for (const [field, old] of fields) {
      if (listed.has(field) || newer(versionOf(old), listVersion)) continue;
      fields.delete(field);
      changed += 1;
    }
    return changed > 0;
  }

  async drop(cluster: ClusterId, refs: readonly ObjectRef[]): Promise<void> {
    for (const ref of refs) this.services.delete(this.key(cluster, ref));
  }

  async markSynced(cluster: ClusterId, namespaces: readonly string[], holder: string, options: { endpoints?: boolean } = {}): Promise<void> {
    for (const namespace of namespaces) this.marksOf(cluster).set(namespace, { holder, ...(options.endpoints ? { endpoints: true } : {}) });
  }

  async markFailed(cluster: ClusterId, namespace: string, reason: string): Promise<void> {
    this.marksOf(cluster).set(namespace, { error: reason });
  }

  async unmarkSynced(cluster: ClusterId, namespaces: readonly string[]): Promise<void> {
    for (const namespace of namespaces) this.marksOf(cluster).delete(namespace);
  }

  async syncedNamespaces(cluster: ClusterId): Promise<Set<string>> {
    return new Set([...this.marksOf(cluster)].filter(([, mark]) => !mark.error).map(([namespace]) => namespace));
  }

  /** Keys of passes that found `namespace` not listed yet, for its watcher to enqueue once it is. */
  async awaitSync(cluster: ClusterId, namespace: string, key: string): Promise<void> {
    const id = `${cluster}:${namespace}`;
    this.waiting.set(id, new Set([...(this.waiting.get(id) ?? []), key]));
  }

  async takeWaiting(cluster: ClusterId, namespace: string): Promise<string[]> {
    const id = `${cluster}:${namespace}`;
    const keys = [...(this.waiting.get(id) ?? [])];
    this.waiting.delete(id);
    return keys;
  }

  async read(cluster: ClusterId, ref: ObjectRef): Promise<SnapshotView> {
    const fields = this.services.get(this.key(cluster, ref)) ?? new Map<string, KubernetesObject>();
    const slices = [...fields].filter(([field]) => field.startsWith('slice:')).map(([, slice]) => structuredClone(slice) as V1EndpointSlice);
    slices.sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
    const service = fields.get(SERVICE) as V1Service | undefined;
    const endpoints = fields.get(ENDPOINTS) as V1Endpoints | undefined;
    const mark = this.marksOf(cluster).get(ref.namespace);
    return {
      service: service && structuredClone(service),
      slices,
      ...(endpoints ? { endpoints: structuredClone(endpoints) } : {}),
      synced: mark !== undefined && !mark.error,
      endpointsWatched: mark?.endpoints === true,
      ...(mark?.error ? { watchError: mark.error } : {}),
    };
  }

  private put(cluster: ClusterId, ref: ObjectRef, field: string, object: KubernetesObject): boolean {
    const fields = this.fields(cluster, ref);
    const old = fields.get(field);
    if (old && !newer(versionOf(object), versionOf(old))) return false;
    fields.set(field, object);
    return true;
  }

  private remove(cluster: ClusterId, ref: ObjectRef, field: string, uid: string | undefined): boolean {
    const fields = this.fields(cluster, ref);
    const old = fields.get(field);
    if (!old || (uid && old.metadata?.uid !== uid)) return false;
    return fields.delete(field);
  }

  private fields(cluster: ClusterId, ref: ObjectRef): Map<string, KubernetesObject> {
    const key = this.key(cluster, ref);
    let fields = this.services.get(key);
    if (!fields) this.services.set(key, (fields = new Map()));
    return fields;
  }

  private marksOf(cluster: ClusterId): Map<string, { holder?: string; endpoints?: boolean; error?: string }> {
    let marks = this.marks.get(cluster);
    if (!marks) this.marks.set(cluster, (marks = new Map()));
    return marks;
  }

  private key(cluster: ClusterId, ref: ObjectRef): string {
    return `${cluster}:${formatRef(ref)}`;
  }
}
