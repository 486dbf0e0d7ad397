import type { KubernetesObject, V1EndpointSlice, V1Endpoints, V1Namespace, V1Pod, V1Service } from '@kubernetes/client-node';
import { formatRef, type ObjectRef } from '@service-replicator/references';
import { hostServiceAccountOf, serviceAccountUser, type TenantSpec } from '@service-replicator/replication-config';
import { FIELD_MANAGER, type DeleteTarget, type KubeCluster, type KubeClusters, type LiveView, type MirroredKind, type MirroredObject, type WarningEvent } from '../cluster-client';

type Verb = 'read' | 'create' | 'update' | 'delete';
type StoredKind = MirroredKind | 'Pod';

/** An error shaped like client-node's ApiException: `code` and a Status body, as apiStatus/apiMessage read them. */
export class FakeApiError extends Error {
  readonly body: string;

  constructor(readonly code: number, message: string) {
    super(`HTTP-Code: ${code} Message: ${message}`);
    this.body = JSON.stringify({ kind: 'Status', status: 'Failure', code, message });
  }
}

/** A failure to answer the next matching request with (`once`, unless `times` says otherwise). */
export interface InjectedFailure {
  readonly verb: Verb;
  readonly kind?: MirroredKind;
  readonly code: number;
  readonly message: string;
  times?: number;
}

/** What the clusters' views share: the objects, the namespaces, the writes made and the Events. */
class ClusterState {
  readonly objects = new Map<string, KubernetesObject>();
  readonly namespaces = new Set<string>();
  readonly forbidden = new Set<string>();
  readonly failures: InjectedFailure[] = [];
  /** Every successful write, in order: `create Service default/web`, `... as <user>` when impersonating. */
  readonly writes: string[] = [];
  readonly events: WarningEvent[] = [];
  private version = 100;

  nextVersion(): string {
    this.version += 1;
    return String(this.version);
  }
}

const keyOf = (kind: StoredKind, namespace: string, name: string) => `${kind}/${namespace}/${name}`;
const refOf = (object: KubernetesObject): ObjectRef => ({ namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' });
const clone = <T>(object: T): T => structuredClone(object);

/**
 * A cluster kept in memory with what the replicator relies on from an API server: uids and
 * resourceVersions assigned on write, a PUT with a stale resourceVersion and a DELETE whose uid or
 * resourceVersion precondition fails answered 409, an existing name 409, a missing object 404, a
 * create into a missing namespace 404 `namespaces "x" not found`, a forbidden namespace 403. Deleting
 * an object deletes its dependents at once (the garbage collector's background deletion, without
 * the wait). Failures can be injected for the next request that matches.
 */
export class InMemoryCluster implements KubeCluster {
  private constructor(
    readonly name: string,
    private readonly state: ClusterState,
    readonly actingAs?: string,
  ) {}

  static named(name: string, namespaces: readonly string[] = ['default']): InMemoryCluster {
    return new InMemoryCluster(name, new ClusterState()).addNamespaces(...namespaces);
  }

  addNamespaces(...names: string[]): this {
    names.forEach((namespace) => this.state.namespaces.add(namespace));
    return this;
  }

  /** The same cluster, its requests made as `user` (impersonation). */
  as(user: string): InMemoryCluster {
    return new InMemoryCluster(this.name, this.state, user);
  }

  get writes(): readonly string[] {
    return this.state.writes;
  }

  get events(): readonly WarningEvent[] {
    return this.state.events;
  }

  /** Puts objects in place as another client would (no write is recorded); returns them as stored. */
  seed<T extends KubernetesObject>(kind: StoredKind, ...objects: T[]): T[] {
    return objects.map((object) => {
      const { namespace, name } = refOf(object);
      this.state.namespaces.add(namespace);
      const stored = this.stamp(object, object.metadata?.uid ?? `uid-${kind.toLowerCase()}-${name}`);
      this.state.objects.set(keyOf(kind, namespace, name), stored);
      return clone(stored) as T;
    });
  }

  failNext(failure: InjectedFailure): void {
    this.state.failures.push({ times: 1, ...failure });
  }

  forbid(namespace: string): void {
    this.state.forbidden.add(namespace);
  }

  get<T extends KubernetesObject>(kind: StoredKind, ref: ObjectRef): T | undefined {
    const object = this.state.objects.get(keyOf(kind, ref.namespace, ref.name));
    return object && (clone(object) as T);
  }

  list<T extends KubernetesObject>(kind: StoredKind, namespace?: string): T[] {
    return [...this.state.objects.entries()]
      .filter(([key]) => key.startsWith(namespace === undefined ? `${kind}/` : `${kind}/${namespace}/`))
      .map(([, object]) => clone(object) as T);
  }

  hasNamespace(name: string): boolean {
    return this.state.namespaces.has(name);
  }

  async readService(ref: ObjectRef): Promise<V1Service | undefined> {
    return this.read('Service', ref) as Promise<V1Service | undefined>;
  }

  async read(kind: MirroredKind, ref: ObjectRef): Promise<MirroredObject | undefined> {
    this.check('read', kind, ref.namespace);
    return this.get<MirroredObject>(kind, ref);
  }

  async readView(ref: ObjectRef, options: { slices?: boolean; endpoints?: boolean } = {}): Promise<LiveView> {
    const service = await this.readService(ref);
    const slices = options.slices === false ? [] : this.list<V1EndpointSlice>('EndpointSlice', ref.namespace).filter((slice) => slice.metadata?.labels?.['kubernetes.io/service-name'] === ref.name);
    const endpoints = options.endpoints ? this.get<V1Endpoints>('Endpoints', ref) : undefined;
    return { service, slices, ...(endpoints ? { endpoints } : {}) };
  }

  async create(kind: MirroredKind, object: MirroredObject): Promise<MirroredObject> {
    const { namespace, name } = refOf(object);
    this.check('create', kind, namespace);
    if (!this.state.namespaces.has(namespace)) throw new FakeApiError(404, `namespaces "${namespace}" not found`);
    if (this.state.objects.has(keyOf(kind, namespace, name))) throw new FakeApiError(409, `${kind} "${name}" already exists`);
    return this.write('create', kind, this.stamp(object, `uid-${kind.toLowerCase()}-${name}-${this.state.nextVersion()}`));
  }

  async replace(kind: MirroredKind, object: MirroredObject): Promise<MirroredObject> {
    const { namespace, name } = refOf(object);
    this.check('update', kind, namespace);
    const current = this.state.objects.get(keyOf(kind, namespace, name));
    if (!current) throw new FakeApiError(404, `${kind} "${name}" not found`);
    if (object.metadata?.resourceVersion !== current.metadata?.resourceVersion) {
      throw new FakeApiError(409, `Operation cannot be fulfilled on ${kind} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    return this.write('update', kind, this.stamp(object, current.metadata?.uid ?? ''));
  }

  async delete(target: DeleteTarget): Promise<void> {
    const { kind, namespace, name } = target;
    this.check('delete', kind, namespace);
    const current = this.state.objects.get(keyOf(kind, namespace, name));
    if (!current) throw new FakeApiError(404, `${kind} "${name}" not found`);
    const uidMoved = target.uid !== undefined && target.uid !== current.metadata?.uid;
    if (uidMoved || (target.resourceVersion !== undefined && target.resourceVersion !== current.metadata?.resourceVersion)) {
      throw new FakeApiError(409, `Operation cannot be fulfilled on ${kind} "${name}": Precondition failed`);
    }
    this.remove(kind, namespace, name);
    this.record(`delete ${kind} ${namespace}/${name}`);
  }

  async createNamespace(namespace: V1Namespace): Promise<V1Namespace> {
    const name = namespace.metadata?.name ?? '';
    if (this.state.namespaces.has(name)) throw new FakeApiError(409, `namespaces "${name}" already exists`);
    this.state.namespaces.add(name);
    this.record(`create Namespace ${name}`);
    return namespace;
  }

  async warn(event: WarningEvent): Promise<void> {
    this.state.events.push(event);
  }

  async listPods(namespace: string, labelSelector: string): Promise<V1Pod[]> {
    const wanted = labelSelector.split(',').filter(Boolean).map((term) => term.split('='));
    return this.list<V1Pod>('Pod', namespace).filter((pod) => wanted.every(([key, value]) => pod.metadata?.labels?.[key] === value));
  }

  /** Someone else's change behind the watchers' backs: a new resourceVersion (and `change` applied), or the object gone. */
  changeBehind(kind: StoredKind, ref: ObjectRef, change: ((object: KubernetesObject) => void) | 'delete'): void {
    const key = keyOf(kind, ref.namespace, ref.name);
    const current = this.state.objects.get(key);
    if (!current) throw new Error(`${kind} ${formatRef(ref)} is not in ${this.name}`);
    if (change === 'delete') return this.remove(kind, ref.namespace, ref.name);
    change(current);
    current.metadata = { ...current.metadata, resourceVersion: this.state.nextVersion() };
  }

  /** A write as the log shows it, with the identity it was made as when that is not our own. */
  private record(write: string): void {
    this.state.writes.push(this.actingAs ? `${write} as ${this.actingAs}` : write);
  }

  private stamp<T extends KubernetesObject>(object: T, uid: string): T {
    const stored = clone(object);
    stored.metadata = { ...stored.metadata, uid, resourceVersion: this.state.nextVersion(), managedFields: [{ manager: FIELD_MANAGER, operation: 'Update' }] };
    return stored;
  }

  private write(verb: 'create' | 'update', kind: MirroredKind, object: MirroredObject): MirroredObject {
    const { namespace, name } = refOf(object);
    this.state.objects.set(keyOf(kind, namespace, name), object);
    this.record(`${verb} ${kind} ${namespace}/${name}`);
    return clone(object);
  }

  private remove(kind: StoredKind, namespace: string, name: string): void {
    const uid = this.state.objects.get(keyOf(kind, namespace, name))?.metadata?.uid;
    this.state.objects.delete(keyOf(kind, namespace, name));
    for (const [key, object] of this.state.objects) {
      if (object.metadata?.ownerReferences?.some((owner) => owner.uid === uid)) {
        const [dependentKind, dependentNamespace, dependentName] = key.split('/');
        this.remove(dependentKind as StoredKind, dependentNamespace, dependentName);
      }
    }
  }

  private check(verb: Verb, kind: MirroredKind, namespace: string): void {
    if (this.state.forbidden.has(namespace)) {
      throw new FakeApiError(403, `${kind.toLowerCase()}s is forbidden: User "${this.actingAs ?? 'replicator'}" cannot ${verb} in the namespace "${namespace}"`);
    }
    const index = this.state.failures.findIndex((failure) => failure.verb === verb && (failure.kind === undefined || failure.kind === kind));
    if (index < 0) return;
    const failure = this.state.failures[index];
    failure.times = (failure.times ?? 1) - 1;
    if (failure.times <= 0) this.state.failures.splice(index, 1);
    throw new FakeApiError(failure.code, failure.message);
  }
}

/** The clusters of a pass, in memory: the host (and the host as each tenant's identity) and each tenant's own. */
export class InMemoryClusters implements KubeClusters {
  readonly host: InMemoryCluster;
  private readonly tenants = new Map<string, InMemoryCluster>();

  constructor(host = InMemoryCluster.named('host')) {
    this.host = host;
  }

  /** The tenant's cluster, made on first use with a `default` namespace. */
  tenantCluster(name: string): InMemoryCluster {
    let cluster = this.tenants.get(name);
    if (!cluster) {
      cluster = InMemoryCluster.named(`tenant ${name}`);
      this.tenants.set(name, cluster);
    }
    return cluster;
  }

  async tenant(spec: TenantSpec): Promise<InMemoryCluster> {
    return this.tenantCluster(spec.name);
  }

  hostAs(spec: TenantSpec): InMemoryCluster {
    return this.host.as(serviceAccountUser(hostServiceAccountOf(spec)));
  }
}
