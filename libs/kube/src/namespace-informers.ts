import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { ObjectRef } from '@service-replicator/references';
import type { ClusterClient } from './cluster-client';
import { RestartingInformer, type InformerVerb } from './restarting-informer';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface NamespaceEvents {
  service(service: V1Service, verb: InformerVerb): void;
  slice(slice: V1EndpointSlice, serviceName: string, verb: InformerVerb): void;
  error(resource: 'services' | 'endpointslices', error: unknown, restartInMs: number): void;
  /** A watch expired (410 Gone) and its informer listed the namespace again. */
  relisted(resource: 'services' | 'endpointslices'): void;
}

/**
 * The Services and EndpointSlices of one namespace of one cluster: two namespaced informers (so
 * namespaced RBAC is enough), their caches, and the events they deliver.
 */
export class NamespaceInformers {
  private readonly services: RestartingInformer<V1Service>;
  private readonly slices: RestartingInformer<V1EndpointSlice>;

  constructor(cluster: ClusterClient, readonly namespace: string, events: NamespaceEvents) {
    const { core, discovery, kubeConfig } = cluster;
    this.services = new RestartingInformer<V1Service>(
      { kubeConfig, path: `/api/v1/namespaces/${namespace}/services`, list: () => core.listNamespacedService({ namespace }) },
      {
        onChange: (service, verb) => events.service(service, verb),
        onError: (error, delay) => events.error('services', error, delay),
        onRelist: () => events.relisted('services'),
      },
    );
    this.slices = new RestartingInformer<V1EndpointSlice>(
      {
        kubeConfig,
        path: `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
        list: () => discovery.listNamespacedEndpointSlice({ namespace }),
      },
      {
        onChange: (slice, verb) => {
          const serviceName = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
          if (serviceName) events.slice(slice, serviceName, verb);
        },
        onError: (error, delay) => events.error('endpointslices', error, delay),
        onRelist: () => events.relisted('endpointslices'),
      },
    );
  }

  start(): Promise<unknown> {
    return Promise.all([this.services.start(), this.slices.start()]);
  }

  stop(): Promise<unknown> {
    return Promise.all([this.services.stop(), this.slices.stop()]);
  }

  get hasSynced(): boolean {
    return this.services.hasSynced && this.slices.hasSynced;
  }

  get healthy(): boolean {
    return this.services.healthy && this.slices.healthy;
  }

  get restarts(): number {
    return this.services.restarts + this.slices.restarts;
  }

  /**
   * The resourceVersion both caches have reached (the lower of the two, as etcd revisions): anything
   * stored later than this is newer than what the caches can vouch for.
   */
  get listVersion(): string {
    const [a, b] = [this.services.listVersion, this.slices.listVersion];
    return a.length !== b.length ? (a.length < b.length ? a : b) : a < b ? a : b;
  }

  service(name: string): V1Service | undefined {
    return this.services.get(name, this.namespace);
  }

  /** Slices by the Service they serve, for several Services at once (one pass over the cache). */
  slicesByService(): Map<string, V1EndpointSlice[]> {
    const byService = new Map<string, V1EndpointSlice[]>();
    for (const slice of this.slices.list(this.namespace)) {
      const name = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (name) byService.set(name, [...(byService.get(name) ?? []), slice]);
    }
    return byService;
  }

  view(ref: ObjectRef): { service?: V1Service; slices: V1EndpointSlice[] } {
    return { service: this.service(ref.name), slices: this.slicesByService().get(ref.name) ?? [] };
  }
}
