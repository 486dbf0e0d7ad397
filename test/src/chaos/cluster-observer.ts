import { CoreV1Api, DiscoveryV1Api, ListWatch, Watch, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { ControlPlane } from '@service-replicator/control-plane-harness';
import { FIELD_MANAGER } from '@service-replicator/kube';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_LABEL } from '@service-replicator/service-translation';

export type ObservedKind = 'Service' | 'EndpointSlice';

/** `Kind ns/name`: one object in one cluster. */
export function objectId(kind: ObservedKind, namespace: string, name: string): string {
  return `${kind} ${namespace}/${name}`;
}

/** What one cluster's watch saw happen to the objects a chaos row cares about. */
export interface Observations {
  /** Mirrors that should exist and were deleted while expected (each id once). */
  readonly lost: readonly string[];
  /** Planted objects not ours that were modified or deleted. */
  readonly touched: readonly string[];
}

/**
 * A watch on every Service and EndpointSlice of one cluster, kept across API server restarts (it
 * resumes, and relists after 410 Gone, reporting what vanished meanwhile as deleted), that
 * records two things a user would check after a fault: an expected mirror being deleted (lost,
 * even if it came back later) and an object that is not ours being modified or deleted at all.
 */
export class ClusterObserver {
  private readonly informers: { readonly kind: ObservedKind; readonly informer: ListWatch<KubernetesObject> }[];
  private readonly expected = new Set<string>();
  private readonly tracked = new Set<string>();
  private lostIds = new Set<string>();
  private touchedIds = new Set<string>();
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly cluster: ControlPlane) {
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const discovery = cluster.kubeConfig.makeApiClient(DiscoveryV1Api);
    const watch = new Watch(cluster.kubeConfig);
    this.informers = [
      this.follow('Service', new ListWatch('/api/v1/services', watch, () => core.listServiceForAllNamespaces() as Promise<KubernetesListObject<KubernetesObject>>, false)),
      this.follow('EndpointSlice', new ListWatch('/apis/discovery.k8s.io/v1/endpointslices', watch, () => discovery.listEndpointSliceForAllNamespaces() as Promise<KubernetesListObject<KubernetesObject>>, false)),
    ];
  }

  async start(): Promise<void> {
    await Promise.all(this.informers.map(({ informer }) => informer.start()));
  }

  /** From now on, deleting any of these counts as a lost mirror (until `unexpect`). */
  expect(ids: Iterable<string>): void {
    for (const id of ids) this.expected.add(id);
  }

  /** Mirrors whose mapping the row removes on purpose. */
  unexpect(ids: Iterable<string>): void {
    for (const id of ids) this.expected.delete(id);
  }

  /** Objects that are not ours: any change to them (or our field manager on them) counts as touched. */
  track(ids: Iterable<string>): void {
    for (const id of ids) this.tracked.add(id);
  }

  /** Objects the row itself is about to delete or change (its own clean-up). */
  untrack(ids: Iterable<string>): void {
    for (const id of ids) this.tracked.delete(id);
  }

  /** What was seen since the last call (a row's share), and starts counting afresh. */
  take(): Observations {
    const seen = { lost: [...this.lostIds].sort(), touched: [...this.touchedIds].sort() };
    this.lostIds = new Set();
    this.touchedIds = new Set();
    return seen;
  }

  /**
   * Every Service and EndpointSlice in the cluster now that does not carry our ownership marker
   * (for one of `tenants`) yet has our field manager in its managedFields: we wrote to it.
   */
  notOursWrittenByUs(tenants: readonly string[]): string[] {
    return this.informers.flatMap(({ kind, informer }) =>
      informer.list().filter((object) => !ownedByOneOf(object, tenants) && writtenByUs(object)).map((object) => idOfObject(kind, object)),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all(this.informers.map(({ informer }) => informer.stop()));
  }

  private follow(kind: ObservedKind, informer: ListWatch<KubernetesObject>): { kind: ObservedKind; informer: ListWatch<KubernetesObject> } {
    informer.on('update', (object) => this.onChange(kind, object, 'update'));
    informer.on('delete', (object) => this.onChange(kind, object, 'delete'));
    // client-node stops an informer on any error but 410: resume it (from its last
    // resourceVersion) until the API server is back.
    informer.on('error', () => {
      if (this.stopped) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.stopped) informer.start().catch(() => undefined);
      }, 500);
      this.timers.add(timer);
    });
    return { kind, informer };
  }

  private onChange(kind: ObservedKind, object: KubernetesObject, verb: 'update' | 'delete'): void {
    const id = idOfObject(kind, object);
    if (verb === 'delete' && this.expected.has(id)) this.lostIds.add(id);
    if (this.tracked.has(id)) this.touchedIds.add(`${id} (${verb === 'delete' ? 'deleted' : 'modified'})`);
  }
}

function idOfObject(kind: ObservedKind, object: KubernetesObject): string {
  return objectId(kind, object.metadata?.namespace ?? '', object.metadata?.name ?? '');
}

function ownedByOneOf(object: KubernetesObject, tenants: readonly string[]): boolean {
  const labels = object.metadata?.labels ?? {};
  return labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && tenants.includes(labels[TENANT_LABEL] ?? '');
}

/** Whether our field manager has written to the object (it never may, to one that is not ours). */
export function writtenByUs(object: KubernetesObject): boolean {
  return (object.metadata?.managedFields ?? []).some((entry) => entry.manager === FIELD_MANAGER);
}
