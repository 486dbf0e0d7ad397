import type { KubernetesObject, V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import type { ObjectRef } from '@service-replicator/references';
import type { ClusterClient } from './cluster-client';
import { RestartingInformer, type InformerVerb } from './restarting-informer';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** What the namespace's informers have in common, whatever they hold. */
type AnyInformer = Pick<RestartingInformer<KubernetesObject>, 'start' | 'stop' | 'hasSynced' | 'healthy' | 'restarts' | 'listVersion'>;

export type WatchedResource = 'services' | 'endpointslices' | 'endpoints';

export interface NamespaceEvents {
  service(service: V1Service, verb: InformerVerb): void;
  slice(slice: V1EndpointSlice, serviceName: string, verb: InformerVerb): void;
  endpoints(endpoints: V1Endpoints, verb: InformerVerb): void;
  error(resource: WatchedResource, error: unknown, restartInMs: number): void;
  /** A watch expired (410 Gone) and its informer listed the namespace again. */
  relisted(resource: WatchedResource): void;
  /** An informer that was failing watches again. */
  recovered(resource: WatchedResource): void;
}

/**
 * The Services and EndpointSlices of one namespace of one cluster, and its core/v1 Endpoints when
 * `withEndpoints` (only where a tenant's options make them matter: watching a deprecated API, with
 * RBAC that existing installs may not grant, is never done otherwise): namespaced informers (so
 * namespaced RBAC is enough), their caches, and the events they deliver.
 */
export class NamespaceInformers {
  private readonly services: RestartingInformer<V1Service>;
  private readonly slices: RestartingInformer<V1EndpointSlice>;
  private readonly endpointsInformer: RestartingInformer<V1Endpoints> | undefined;

  constructor(cluster: ClusterClient, readonly namespace: string, events: NamespaceEvents, readonly withEndpoints = false) {
    const { core, discovery, kubeConfig } = cluster;
    this.services = new RestartingInformer<V1Service>(
      { kubeConfig, path: `/api/v1/namespaces/${namespace}/services`, list: () => core.listNamespacedService({ namespace }) },
      {
        onChange: (service, verb) => events.service(service, verb),
        onError: (error, delay) => events.error('services', error, delay),
        onRelist: () => events.relisted('services'),
        onRecovered: () => events.recovered('services'),
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
        onRecovered: () => events.recovered('endpointslices'),
      },
    );
    this.endpointsInformer = withEndpoints
      ? new RestartingInformer<V1Endpoints>(
          { kubeConfig, path: `/api/v1/namespaces/${namespace}/endpoints`, list: () => core.listNamespacedEndpoints({ namespace }) },
          {
            onChange: (endpoints, verb) => events.endpoints(endpoints, verb),
            onError: (error, delay) => events.error('endpoints', error, delay),
            onRelist: () => events.relisted('endpoints'),
            onRecovered: () => events.recovered('endpoints'),
          },
        )
      : undefined;
  }

  private get all(): AnyInformer[] {
    return [this.services, this.slices, ...(this.endpointsInformer ? [this.endpointsInformer] : [])];
  }

  start(): Promise<unknown> {
    return Promise.all(this.all.map((informer) => informer.start()));
  }

  stop(): Promise<unknown> {
    return Promise.all(this.all.map((informer) => informer.stop()));
  }

  get hasSynced(): boolean {
    return this.all.every((informer) => informer.hasSynced);
  }

  get healthy(): boolean {
    return this.all.every((informer) => informer.healthy);
  }

  get restarts(): number {
    return this.all.reduce((sum, informer) => sum + informer.restarts, 0);
  }

  /**
   * The resourceVersion every cache has reached (the lowest, as etcd revisions): anything stored
   * later than this is newer than what the caches can vouch for.
   */
  get listVersion(): string {
    return this.all.map((informer) => informer.listVersion).reduce(lowerVersion);
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

  /** The core/v1 Endpoints of that name, when Endpoints are watched here. */
  endpoints(name: string): V1Endpoints | undefined {
    return this.endpointsInformer?.get(name, this.namespace);
  }

  view(ref: ObjectRef): { service?: V1Service; slices: V1EndpointSlice[] } {
    return { service: this.service(ref.name), slices: this.slicesByService().get(ref.name) ?? [] };
  }
}

/** The lower of two resourceVersions, compared as the decimal etcd revisions they are. */
function lowerVersion(a: string, b: string): string {
  return a.length !== b.length ? (a.length < b.length ? a : b) : a < b ? a : b;
}
