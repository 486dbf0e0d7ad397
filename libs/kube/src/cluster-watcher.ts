import type { KubernetesObject, V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { WatchPlan } from '@service-replicator/replication-config';
import { ATTR, inSpan } from '@service-replicator/telemetry';
import type { ClusterClient } from './cluster-client';
import { RestartingInformer, type InformerVerb } from './restarting-informer';
import type { WatcherMetrics } from './watcher-metrics';

export interface WatchEvents {
  /** Keys to reconcile, and why (`watch`, `reconnect`); the event's span lasts until the promise settles. */
  enqueue(keys: readonly string[], cause: string): void | Promise<unknown>;
  informerError?(namespace: string, resource: string, error: unknown, restartInMs: number): void;
}

interface NamespaceInformers {
  readonly services: RestartingInformer<V1Service>;
  readonly slices: RestartingInformer<V1EndpointSlice>;
}

/**
 * Watches Services and EndpointSlices in exactly the namespaces a WatchPlan names (namespaced
 * watches need only namespaced RBAC) and turns every event into the keys it concerns.
 */
export class ClusterWatcher {
  private plan: WatchPlan | undefined;
  private readonly informers = new Map<string, NamespaceInformers>();

  constructor(
    private readonly cluster: ClusterClient,
    private readonly events: WatchEvents,
    private readonly metrics?: WatcherMetrics,
  ) {}

  /** Follows a new plan: starts informers for new namespaces, stops those no longer needed. */
  async follow(plan: WatchPlan): Promise<void> {
    this.plan = plan;
    const wanted = new Set(plan.namespaces);
    const stale = [...this.informers.keys()].filter((namespace) => !wanted.has(namespace));
    await Promise.all(stale.map((namespace) => this.stopNamespace(namespace)));
    const added = plan.namespaces.filter((namespace) => !this.informers.has(namespace));
    await Promise.all(added.map((namespace) => this.startNamespace(namespace)));
  }

  get hasSynced(): boolean {
    return [...this.informers.values()].every((ns) => ns.services.hasSynced && ns.slices.hasSynced);
  }

  get restarts(): number {
    return [...this.informers.values()].reduce((sum, ns) => sum + ns.services.restarts + ns.slices.restarts, 0);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.keys()].map((namespace) => this.stopNamespace(namespace)));
  }

  private async startNamespace(namespace: string): Promise<void> {
    const { core, discovery } = this.cluster;
    const kubeConfig = this.cluster.kubeConfig;
    const services = new RestartingInformer<V1Service>(
      { kubeConfig, path: `/api/v1/namespaces/${namespace}/services`, list: () => core.listNamespacedService({ namespace }) },
      this.handlers(namespace, 'services', (svc) => svc.metadata?.name),
    );
    const slices = new RestartingInformer<V1EndpointSlice>(
      {
        kubeConfig,
        path: `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
        list: () => discovery.listNamespacedEndpointSlice({ namespace }),
      },
      this.handlers(namespace, 'endpointslices', (slice) => slice.metadata?.labels?.['kubernetes.io/service-name']),
    );
    this.informers.set(namespace, { services, slices });
    await Promise.all([services.start(), slices.start()]);
  }

  private async stopNamespace(namespace: string): Promise<void> {
    const informers = this.informers.get(namespace);
    this.informers.delete(namespace);
    await Promise.all([informers?.services.stop(), informers?.slices.stop()]);
  }

  private handlers<T extends KubernetesObject>(namespace: string, resource: string, serviceName: (object: T) => string | undefined) {
    return {
      onChange: (object: T, verb: InformerVerb) => {
        const name = serviceName(object);
        const keys = name && this.plan ? this.plan.keysFor({ namespace, name }) : [];
        if (keys.length === 0) return;
        this.metrics?.events.inc({ cluster: this.cluster.name, resource });
        this.traced(`${resource} ${verb}`, { 'k8s.namespace.name': namespace, 'replicator.watch.object': object.metadata?.name ?? '' }, keys, `watch ${resource}`);
      },
      onConnect: () => {
        const keys = this.plan?.keysIn(namespace) ?? [];
        if (keys.length > 0) this.traced(`${resource} connect`, { 'k8s.namespace.name': namespace }, keys, `connect ${resource}`);
      },
      onError: (error: unknown, restartInMs: number) => {
        this.metrics?.informerRestarts.inc({ cluster: this.cluster.name, resource });
        this.events.informerError?.(namespace, resource, error, restartInMs);
      },
    };
  }

  /**
   * Each event starts its own trace (the watch it arrives on is long-lived), which BullMQ carries
   * to the writer's pass for every key it enqueues.
   */
  private traced(name: string, attributes: Record<string, string>, keys: readonly string[], cause: string): void {
    const all = { ...attributes, [ATTR.cluster]: this.cluster.name, [ATTR.keys]: [...keys], [ATTR.cause]: cause };
    void inSpan(`watch ${this.cluster.name} ${name}`, all, async () => this.events.enqueue(keys, cause), { root: true }).catch(() => undefined);
  }
}
