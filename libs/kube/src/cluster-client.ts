import {
  CoreV1Api,
  DiscoveryV1Api,
  type KubeConfig,
  type V1EndpointSlice,
  type V1Endpoints,
  type V1Namespace,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import type { ObjectRef } from '@service-replicator/references';
import type { TenantSpec } from '@service-replicator/replication-config';
import { readOptional } from './api-error';

export type MirroredKind = 'Service' | 'EndpointSlice' | 'Endpoints';
export type MirroredObject = V1Service | V1EndpointSlice | V1Endpoints;

/** A Service with what serves it, as read from an API server. */
export interface LiveView {
  readonly service?: V1Service;
  readonly slices: V1EndpointSlice[];
  /** The core/v1 Endpoints of the same name, when asked for. */
  readonly endpoints?: V1Endpoints;
}

export interface DeleteTarget {
  readonly kind: MirroredKind;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export interface WarningEvent {
  readonly object: V1Service;
  readonly reason: string;
  readonly message: string;
}

export const FIELD_MANAGER = 'service-replicator';

/**
 * What a reconcile pass does with one cluster: ClusterClient makes each call a single API request;
 * InMemoryCluster keeps objects in maps, with the API server's preconditions (unit tests).
 */
export interface KubeCluster {
  /** `host` or `tenant <name>`, for messages. */
  readonly name: string;
  /** The user this client acts as when it is not the kubeconfig's own (impersonation). */
  readonly actingAs?: string;
  readService(ref: ObjectRef): Promise<V1Service | undefined>;
  read(kind: MirroredKind, ref: ObjectRef): Promise<MirroredObject | undefined>;
  readView(ref: ObjectRef, options?: { slices?: boolean; endpoints?: boolean }): Promise<LiveView>;
  create(kind: MirroredKind, object: MirroredObject): Promise<MirroredObject>;
  replace(kind: MirroredKind, object: MirroredObject): Promise<MirroredObject>;
  delete(target: DeleteTarget): Promise<void>;
  createNamespace(namespace: V1Namespace): Promise<V1Namespace>;
  warn(event: WarningEvent): Promise<void>;
  listPods(namespace: string, labelSelector: string): Promise<V1Pod[]>;
}

/** The clusters a pass reaches: the host as this app, the host as a tenant's identity, a tenant's own. */
export interface KubeClusters {
  readonly host: KubeCluster;
  tenant(spec: TenantSpec): Promise<KubeCluster>;
  hostAs(spec: TenantSpec): KubeCluster;
}

/** The few calls the replicator makes to one cluster, each a single API request. */
export class ClusterClient implements KubeCluster {
  readonly core: CoreV1Api;
  readonly discovery: DiscoveryV1Api;

  constructor(
    readonly name: string,
    readonly kubeConfig: KubeConfig,
    /** The user this client acts as when it is not the kubeconfig's own (impersonation). */
    readonly actingAs?: string,
    apis?: { core: CoreV1Api; discovery: DiscoveryV1Api },
  ) {
    this.core = apis?.core ?? kubeConfig.makeApiClient(CoreV1Api);
    this.discovery = apis?.discovery ?? kubeConfig.makeApiClient(DiscoveryV1Api);
  }

  /** The same client (API objects, agent) under another name: tenants that share an API server identity. */
  named(name: string): ClusterClient {
    return new ClusterClient(name, this.kubeConfig, this.actingAs, { core: this.core, discovery: this.discovery });
  }

  readService(ref: ObjectRef): Promise<V1Service | undefined> {
    return readOptional(() => this.core.readNamespacedService(ref));
  }

  /** One object as the API server has it now (undefined: not found). */
  read(kind: MirroredKind, ref: ObjectRef): Promise<MirroredObject | undefined> {
    if (kind === 'Service') return this.readService(ref);
    if (kind === 'Endpoints') return readOptional(() => this.core.readNamespacedEndpoints(ref));
    return readOptional(() => this.discovery.readNamespacedEndpointSlice(ref));
  }

  /**
   * A Service and its EndpointSlices (and, when asked, its Endpoints) read from the API server. Passes
   * read the watchers' snapshots instead; this is for what no watcher follows (a removed mapping's
   * target) and for dry runs.
   */
  async readView(ref: ObjectRef, options: { slices?: boolean; endpoints?: boolean } = {}): Promise<LiveView> {
    const [service, slices, endpoints] = await Promise.all([
      this.readService(ref),
      options.slices === false ? [] : this.listEndpointSlices(ref),
      options.endpoints ? readOptional(() => this.core.readNamespacedEndpoints(ref)) : undefined,
    ]);
    return { service, slices, ...(endpoints ? { endpoints } : {}) };
  }

  /** The EndpointSlices of a Service: the standard `kubernetes.io/service-name` label. */
  async listEndpointSlices(service: ObjectRef): Promise<V1EndpointSlice[]> {
    const list = await this.discovery.listNamespacedEndpointSlice({
      namespace: service.namespace,
      labelSelector: `kubernetes.io/service-name=${service.name}`,
    });
    return list.items;
  }

  create(kind: MirroredKind, object: MirroredObject): Promise<MirroredObject> {
    const namespace = object.metadata?.namespace ?? '';
    const options = { namespace, fieldManager: FIELD_MANAGER };
    if (kind === 'Service') return this.core.createNamespacedService({ ...options, body: object as V1Service });
    if (kind === 'Endpoints') return this.core.createNamespacedEndpoints({ ...options, body: object as V1Endpoints });
    return this.discovery.createNamespacedEndpointSlice({ ...options, body: object as V1EndpointSlice });
  }

  /** A PUT carrying the resourceVersion we read: a concurrent change makes it fail with 409. */
  replace(kind: MirroredKind, object: MirroredObject): Promise<MirroredObject> {
    const options = { namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '', fieldManager: FIELD_MANAGER };
    if (kind === 'Service') return this.core.replaceNamespacedService({ ...options, body: object as V1Service });
    if (kind === 'Endpoints') return this.core.replaceNamespacedEndpoints({ ...options, body: object as V1Endpoints });
    return this.discovery.replaceNamespacedEndpointSlice({ ...options, body: object as V1EndpointSlice });
  }

  /** Deletes only the object we read (uid and resourceVersion preconditions), never a successor. */
  async delete(target: DeleteTarget): Promise<void> {
    const body = { preconditions: { uid: target.uid, resourceVersion: target.resourceVersion } };
    const { namespace, name } = target;
    if (target.kind === 'Service') await this.core.deleteNamespacedService({ name, namespace, body });
    else if (target.kind === 'Endpoints') await this.core.deleteNamespacedEndpoints({ name, namespace, body });
    else await this.discovery.deleteNamespacedEndpointSlice({ name, namespace, body });
  }

  async listPods(namespace: string, labelSelector: string): Promise<V1Pod[]> {
    return (await this.core.listNamespacedPod({ namespace, labelSelector })).items;
  }

  readNamespace(name: string): Promise<V1Namespace | undefined> {
    return readOptional(() => this.core.readNamespace({ name }));
  }

  createNamespace(namespace: V1Namespace): Promise<V1Namespace> {
    return this.core.createNamespace({ body: namespace, fieldManager: FIELD_MANAGER });
  }

  /** A core/v1 Warning Event on the object, as `kubectl describe` shows it. */
  async warn({ object, reason, message }: WarningEvent): Promise<void> {
    const namespace = object.metadata?.namespace ?? 'default';
    const now = new Date();
    await this.core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { generateName: `${object.metadata?.name ?? 'object'}.`, namespace },
        involvedObject: {
          apiVersion: 'v1',
          kind: 'Service',
          namespace,
          name: object.metadata?.name,
          uid: object.metadata?.uid,
          resourceVersion: object.metadata?.resourceVersion,
        },
        type: 'Warning',
        reason,
        message,
        source: { component: FIELD_MANAGER },
        reportingComponent: FIELD_MANAGER,
        reportingInstance: FIELD_MANAGER,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }
}
